"""Order numbers are proven, not trusted: a number set after a ticket opened is looked up
again and its owner checked; a refund approval is bound to the order that was checked;
refund and resend history stays with the order number, whatever the ticket says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot import tickets
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, FakeClock, agent
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    ORDER,
    Shop,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
    shop_fixture,
)

BIG = "KM202411221530900900"  # another user's 900 元 order
JUNK = "KM209900000000000001"
OTHER = 7


def card(k: Kefu, ticket_id: int = 1) -> str:
    t = k.store.tickets.get(ticket_id)
    assert t is not None
    return tickets.staff_card(k, t, k.now()).text


def refund_of(k: Kefu, ticket_id: int = 1) -> dict[str, Any]:
    t = k.store.tickets.get(ticket_id)
    assert t is not None
    return dict(t.details.get("refund") or {})


def edit_order_no(buyer: Buyer, order_no: str) -> str:
    buyer.presses("edit")  # 修改信息: valid on any older message that carried it
    buyer.presses("订单号")
    return buyer.says(order_no)


def failed_small_order_awaiting_approval(k: Kefu) -> Buyer:
    add_order(k, status="充值失败", delivered_at=None, code_ref="")
    add_order(k, BIG, buyer=str(OTHER), amount=900.0, product="iPhone 礼品卡 900 元")
    buyer = Buyer(k, BUYER)
    assert "1 小时内原路退回" in buyer.says(f"充值失败了 {ORDER}")
    assert refund_of(k) == {**refund_of(k), "state": "awaiting_approval", "order_no": ORDER,
                            "amount": 30}
    return buyer


def test_refund_swap_is_refused_and_the_card_says_why(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    buyer = failed_small_order_awaiting_approval(k)
    reply = edit_order_no(buyer, BIG)
    for secret in ("900 元", "iPhone", "已发货", "id 7"):
        assert secret not in reply  # the buyer learns nothing about the order they named
    result = agent(k, 501, "approve_refund", 1)
    assert not result.ok
    assert result.note == (f"订单号已被买家修改 (原 {ORDER} → 现 {BIG}), 原待批准退款已作废, "
                           "请重新核实")
    assert refund_of(k)["state"] == "voided"
    text = card(k)
    assert "原待批准退款已作废" in text and "订单归属不符" in text
    assert "批准退款" not in [c.label for c in tickets.staff_card(k, k.store.tickets.get(1),
                                                                  k.now()).choices]
    assert not k.store.order_actions.refunded(BIG)
    staff = "\n".join(o.text for o in buyer.last if o.audience == "staff")
    assert "原待批准退款已作废" in staff and "订单归属不符" in staff


def test_a_refund_swap_never_reaches_the_shops_refund_endpoint(
        make_shop: Callable[..., Kefu], shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = {"code": 0, "data": {"order_id": ORDER, "state": 5, "tg_id": BUYER, "price": "30"}}
    theirs = {"code": 0, "data": {"order_id": BIG, "state": 2, "tg_id": OTHER, "price": "900"}}
    shop.answer(f"/orders/{ORDER}", 200, mine)
    shop.answer(f"/orders/{BIG}", 200, theirs)
    shop.answer("/refund/", 500, {"message": "busy"})  # the fast path fails: an agent approves
    k = make_shop({"backend": "http", "http": {
        "lookup_url": shop.url + "/orders/{order_no}",
        "refund_url": shop.url + "/refund/{order_no}",
        "fields": {"order_no": "data.order_id", "status": "data.state", "buyer": "data.tg_id",
                   "amount": "data.price"},
        "statuses": {"2": "已发货", "5": "充值失败"}, "retries": 0}})
    buyer = Buyer(k, BUYER)
    assert "自动退款这次没能提交" in buyer.says(f"充值失败了 {ORDER}")
    assert refund_of(k)["state"] == "awaiting_approval"
    edit_order_no(buyer, BIG)
    assert shop.requests(f"/orders/{BIG}")  # the new number was looked up, outside the turn
    shop.answers["/refund/"] = [(200, {"data": {"request_id": "R-1"}}, 0.0)]
    assert not agent(k, 501, "approve_refund", 1).ok
    assert [r["json"]["order_no"] for r in shop.requests("/refund/")] == [ORDER]  # the failed one


def test_an_untouched_refund_is_still_approved_for_its_own_order(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    failed_small_order_awaiting_approval(k)
    assert agent(k, 501, "approve_refund", 1).ok
    assert k.store.order_actions.refunded(ORDER)


def test_a_number_added_later_is_looked_up_and_its_owner_checked(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, BIG, buyer=str(OTHER), amount=900.0)
    buyer = Buyer(k, BUYER)
    buyer.says("钱扣了订单没有")
    buyer.says("没有订单号")
    assert "已受理" in buyer.presses("查询")
    reply = buyer.says(f"钱扣了订单没有 单号 {BIG}")  # 补充: fills the missing number
    assert k.store.tickets.get(1).order_no == BIG  # type: ignore[union-attr]
    assert "900 元" not in reply and "已发货" not in reply
    assert "订单归属不符" in card(k) and "未向买家透露订单详情" in card(k)
    assert "order_recheck" in [e["event"] for e in k.store.ticket_events.of(1)]


def test_the_buyers_own_number_added_later_puts_the_order_on_the_card(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k)
    buyer = Buyer(k, BUYER)
    buyer.says("钱扣了订单没有")
    buyer.says("没有订单号")
    buyer.presses("查询")
    buyer.says(f"钱扣了订单没有 单号 {ORDER}")
    text = card(k)
    assert "订单系统: 已发货 · 30 元" in text and "订单归属不符" not in text
    assert k.store.tickets.get(1).amount == 30  # type: ignore[union-attr]


def test_an_edited_number_nobody_has_is_noted_for_the_agent(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    buyer = failed_small_order_awaiting_approval(k)
    edit_order_no(buyer, JUNK)
    assert "查无此单" in card(k) and f"订单系统查不到单号 {JUNK}" in card(k)
    assert "原待批准退款已作废" in card(k)


def test_second_refund_attack_edit_to_junk_withdraw_and_ask_again(
        make_shop: Callable[..., Kefu], clock: FakeClock) -> None:
    k = make_shop()
    buyer = failed_small_order_awaiting_approval(k)
    assert agent(k, 501, "approve_refund", 1).ok
    edit_order_no(buyer, JUNK)
    buyer.says("取消")
    assert "已撤销" in buyer.presses("撤销工单 #T1001")
    clock.advance(minutes=5)
    reply = buyer.says(f"充值失败了 {ORDER} 还是没退")
    assert "1 小时内" not in reply  # no second automatic refund for the same order
    midnight = k.now().replace(hour=0, minute=0, second=0, microsecond=0)
    assert k.store.order_actions.refunds_since(midnight) == 1  # counted once against the cap
    rows = k.store.db.query("SELECT action FROM order_actions WHERE order_no = ? "
                            "ORDER BY id", [ORDER])
    assert [r["action"] for r in rows] == ["refund_awaiting", "refund_approved"]


def test_history_survives_the_ticket_and_is_read_per_order(
        make_shop: Callable[..., Kefu], clock: FakeClock) -> None:
    k = make_shop({"backend": "sqlite", "auto_refund_daily_cap": 1})
    failed_small_order_awaiting_approval(k)
    with k.store.transaction():  # the ticket no longer names the order: history still does
        k.store.tickets.update(1, k.now(), order_no=JUNK)
    add_order(k, "KM202411221530000002", status="充值失败", buyer="9", delivered_at=None)
    reply = Buyer(k, 9).says("充值失败了 KM202411221530000002")
    assert "1 小时内" not in reply  # the cap of one was used by ORDER
    clock.advance(days=1)  # a new day, a new cap; the order itself stays refunded
    assert k.store.order_actions.refunds_since(k.now().replace(hour=0)) == 0
    assert k.store.order_actions.refunded(ORDER)


def test_an_upgrade_carries_refunds_and_resends_over_from_ticket_events(
        make_shop: Callable[..., Kefu]) -> None:
    from bot.schema import migrate
    k = make_shop()
    failed_small_order_awaiting_approval(k)
    db = k.store.db
    db.execute("DROP TABLE order_actions")  # as before this version: only the ticket events
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_order_actions'")
    db.conn.commit()
    migrate(db)
    assert k.store.order_actions.refunded(ORDER.lower())
    rows = db.query("SELECT action, ticket_id, user_id, amount FROM order_actions")
    assert [tuple(r.values()) for r in rows] == [("refund_awaiting", 1, BUYER, 30)]


def test_an_agents_approval_of_a_large_refund_leaves_the_fast_path_cap_alone(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop({"backend": "sqlite", "auto_refund_daily_cap": 1})
    add_order(k, status="充值失败", amount=200.0, delivered_at=None, code_ref="")
    buyer = Buyer(k, BUYER)
    buyer.says(f"充值失败了 {ORDER} 退款")
    assert agent(k, 501, "approve_refund", 1).ok
    add_order(k, "KM202411221530000002", status="充值失败", buyer="9", delivered_at=None)
    assert "1 小时内原路退回" in Buyer(k, 9).says("充值失败了 KM202411221530000002")
