"""Order lookups through the core with the sqlite backend: each state, and the remedies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.callbacks import ApproveRefund, agent_act, decode
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, FakeClock, act, agent
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    CODE,
    ORDER,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
)
from tools.cli import main


def tickets(k: Kefu) -> list[dict[str, Any]]:
    return [dict(r, details=json.loads(r["details"]))
            for r in k.store.db.query("SELECT * FROM tickets ORDER BY id")]


def events(k: Kefu, ticket_id: int = 1) -> list[str]:
    return [e["event"] for e in k.store.ticket_events.of(ticket_id)]


def staff_text(buyer: Buyer) -> str:
    return "\n".join(o.text for o in buyer.last if o.audience == "staff")


def card(buyer: Buyer) -> Any:
    return next(o for o in buyer.last if o.kind == "card")


def everything_sent(k: Kefu) -> str:
    rows = [*k.store.db.query("SELECT text FROM outbox"), *k.store.db.query(
        "SELECT text FROM messages"), *k.store.db.query("SELECT data AS text FROM ticket_events")]
    return "\n".join(r["text"] for r in rows)


def test_delivered_order_is_answered_with_the_last_four_characters(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k)
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"付了钱卡密没到 {ORDER}")
    assert "13:51 发货" in reply and "卡密尾号 WXYZ" in reply and "查看卡密" in reply
    assert "刷新订单页" not in reply  # the order's state replaces the generic FAQ text
    assert buyer.choices() == ["解决了", "没解决, 转人工"]
    assert tickets(k) == []


def test_unsolved_after_the_answer_opens_a_ticket_with_the_order_on_the_card(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k)
    buyer = Buyer(k, BUYER)
    buyer.says(f"付了钱卡密没到 {ORDER}")
    assert "怎么处理" in buyer.presses("没解决, 转人工")
    assert "已受理 (卡密未到账 · 补发)" in buyer.presses("补发")
    [row] = tickets(k)
    assert row["details"]["order"]["status"] == "已发货" and row["amount"] == 30
    assert "order_lookup" in events(k)
    summary = "订单系统: 已发货 · 30 元 · 王者荣耀 60 点券 · 支付宝 · 付款 11-23 13:50"
    assert summary in card(buyer).text
    assert CODE not in everything_sent(k) and "ABCD" not in everything_sent(k)


def test_recharging_order_gets_the_usual_time_and_a_promise(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值中", delivered_at=None, code_ref="")
    reply = Buyer(k, BUYER).says(f"充值了没到账 {ORDER}")
    assert "正在充值中 (13:50 付款)" in reply and "预计 14:20 前到账" in reply
    assert "转人工" in reply and tickets(k) == []


def test_failed_order_above_the_small_amount_apologises_then_fills_a_ticket(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", amount=200.0, delivered_at=None, code_ref="")
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"充值失败了 {ORDER}")
    assert "非常抱歉" in reply and "怎么处理" in reply
    reply = buyer.presses("退款")
    assert re.search(r"已受理 \(充值失败 · 退款\), 预计 \d\d:\d\d 前回复", reply)
    assert "金额: 200 元" in reply
    assert "批准退款" not in [c.label for c in card(buyer).choices]  # not a small order


def test_refunded_order_says_when_and_where(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="已退款", refunded_at="2026-11-20 15:40:00", code_ref="")
    reply = Buyer(k, BUYER).says(f"退款多久到 {ORDER}")
    assert "11月20日 15:40 退款" in reply and "原路退回你付款的支付宝" in reply
    assert "约 11月25日 前" in reply


def test_order_status_without_a_number_asks_for_it_then_answers(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="已支付", paid_at="2026-11-23 13:58:00", delivered_at=None)
    buyer = Buyer(k, BUYER)
    assert "请发一下订单号" in buyer.says("查一下订单")
    assert "正在发卡" in buyer.says(ORDER) and "最晚 14:08 前" in buyer.last[-1].text


def test_unknown_number_asks_to_check_and_the_same_number_again_opens_a_ticket(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"付了钱卡密没到 {ORDER}")
    assert "没有查到订单" in reply and "再发一次" in reply and tickets(k) == []
    assert "怎么处理" in buyer.says(ORDER)  # insisting: intake goes on to a ticket
    buyer.presses("补发")
    [row] = tickets(k)
    assert row["order_no"] == ORDER
    assert "订单系统查不到单号" in row["details"]["order_notes"][0]
    assert "查无此单" in card(buyer).text


def test_a_corrected_number_is_looked_up_again(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k)
    buyer = Buyer(k, BUYER)
    assert "没有查到订单" in buyer.says("付了钱卡密没到 KM202411221530999999")
    assert "卡密尾号 WXYZ" in buyer.says(ORDER)


def test_someone_elses_order_is_answered_as_unknown_and_the_ticket_notes_it(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", buyer="13812345678")
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"充值失败了 {ORDER}")
    assert "没有查到订单" in reply and tickets(k) == []  # as if there were no such order
    reply += buyer.says(ORDER)  # the buyer insists: a person checks
    assert "暂时查不到" in reply
    reply += buyer.presses("退款")
    for secret in ("王者荣耀", "30 元", "支付宝", "WXYZ", "1381234"):
        assert secret not in reply
    [row] = tickets(k)
    assert row["stage"] == "受理" and "refund" not in row["details"]  # no automatic refund
    assert "订单归属不符" in card(buyer).text and "138****5678" in card(buyer).text


def test_small_failed_order_is_refunded_with_one_tap_and_the_buyer_told_one_hour(
        make_shop: Callable[..., Kefu], clock: FakeClock) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None, code_ref="")
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"充值失败了 {ORDER}")
    assert "1 小时内原路退回 (15:00 前)" in reply and "工单 #T1001" in reply
    assert "怎么处理" not in reply  # nothing more to ask
    [row] = tickets(k)
    assert row["details"]["refund"]["state"] == "awaiting_approval" and row["demand"] == "退款"
    assert "refund_awaiting_approval" in events(k)
    assert "批准退款" in [c.label for c in card(buyer).choices]
    assert "小额订单快速退款 (30 元)" in staff_text(buyer)
    clock.advance(minutes=5)
    result = agent(k, 501, "stage", 1, "退款")
    assert result.ok and "refund_approved" in events(k)
    told = result.outs[0].text
    assert "退款已批准, 1 小时内原路退回你付款的支付宝 (15:05 前)" in told
    row = tickets(k)[0]
    assert row["stage"] == "处理" and row["details"]["refund"]["state"] == "approved"
    assert "批准退款" not in [c.label for c in result.outs[-1].choices]
    assert not agent(k, 501, "stage", 1, "退款").ok  # one tap only


def test_the_cards_approve_button_is_its_own_action_not_a_stage(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None, code_ref="")
    buyer = Buyer(k, BUYER)
    buyer.says(f"充值失败了 {ORDER}")
    [data] = [c.data for c in card(buyer).choices if c.label == "批准退款"]
    assert decode(data) == ApproveRefund(1)
    result = act(k, agent_act(ApproveRefund(1), 501))
    assert result.ok and "refund_approved" in events(k)
    assert not agent(k, 501, "approve_refund", 1).ok  # one tap only
    # `/stage 退款`, the old way, reaches the same action rather than a stage named 退款
    assert "没有待批准的退款" in agent(k, 501, "stage", 1, "退款").note


def test_the_daily_cap_sends_the_next_small_refund_to_a_person(
        make_shop: Callable[..., Kefu], clock: FakeClock) -> None:
    k = make_shop({"backend": "sqlite", "auto_refund_daily_cap": 2})
    numbers = [f"KM20241122153000000{i}" for i in range(1, 4)]
    for i, number in enumerate(numbers):
        add_order(k, number, status="充值失败", buyer=str(100 + i), delivered_at=None)
    for i, number in enumerate(numbers[:2]):
        assert "1 小时内原路退回" in Buyer(k, 100 + i).says(f"充值失败了 {number}")
    third = Buyer(k, 102)
    reply = third.says(f"充值失败了 {numbers[2]}")
    assert "1 小时内" not in reply and "非常抱歉" in reply
    reply = third.presses("退款")
    assert "已受理 (充值失败 · 退款)" in reply
    assert "今日快速退款已达上限 (2 单)" in card(third).text
    assert "批准退款" in [c.label for c in card(third).choices]
    clock.advance(days=1)  # a new day: the cap starts again
    add_order(k, "KM202411221530000009", status="充值失败", buyer="103", delivered_at=None)
    assert "1 小时内原路退回" in Buyer(k, 103).says("充值失败了 KM202411221530000009")


def test_an_order_refunded_once_is_not_refunded_automatically_again(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None)
    buyer = Buyer(k, BUYER)
    buyer.says(f"充值失败了 {ORDER}")
    agent(k, 501, "resolve", 1)
    reply = buyer.says(f"充值失败了 {ORDER} 还是没退")
    assert "1 小时内" not in reply


def test_repeat_not_received_claims_are_flagged_on_the_ticket(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    numbers = [f"KM20241122153000000{i}" for i in range(1, 4)]
    for number in numbers:
        add_order(k, number)
    buyer = Buyer(k, BUYER)
    for number in numbers[:2]:
        assert "卡密尾号" in buyer.says(f"卡密没收到 {number}")
        buyer.presses("解决了")
    reply = buyer.says(f"卡密没收到 {numbers[2]}")
    assert "转给客服人工核实" in reply
    buyer.presses("补发")
    [row] = tickets(k)
    assert "30 天内已就 3 个订单" in row["details"]["order_notes"][0]
    assert "order_flag" in events(k)


def test_unpaid_order_explains_and_unsolved_becomes_a_payment_ticket(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="待支付", delivered_at=None, code_ref="")
    buyer = Buyer(k, BUYER)
    assert "待支付" in buyer.says(f"查一下订单 {ORDER}")
    buyer.presses("没解决, 转人工")
    buyer.presses("查询")
    assert tickets(k)[0]["intent"] == "payment_no_order"


def test_with_no_backend_kefu_works_as_before(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop({"backend": "none"})
    add_order(k)
    reply = Buyer(k, BUYER).says(f"付了钱卡密没到 {ORDER}")
    assert "刷新订单页" in reply and "怎么处理" in reply and "WXYZ" not in reply
    assert list(k.store.db.query("SELECT * FROM order_checks")) == []


def test_an_unreadable_row_falls_back_to_a_person(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, amount="很多钱")
    buyer = Buyer(k, BUYER)
    assert "订单系统暂时连不上" in buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    [row] = tickets(k)
    assert row["order_no"] == ORDER and row["demand"] == "补发"
    assert "order_lookup_failed" in events(k) and "查询失败" in card(buyer).text


def test_kefu_orders_track_resolves_an_approved_refund_once_the_shop_shows_it(
        make_shop: Callable[..., Kefu], tmp_path: Path) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None)
    Buyer(k, BUYER).says(f"充值失败了 {ORDER}")
    agent(k, 501, "stage", 1, "退款")
    config = ["--config", str(tmp_path / "kefu.yaml"), "orders", "track"]
    assert main(config) == 0 and tickets(k)[0]["stage"] == "处理"  # the shop has not refunded
    add_order(k, status="已退款", refunded_at="2026-11-23 14:20:00")  # the shop's next export
    assert main(config) == 0
    row = tickets(k)[0]
    assert row["stage"] == "已解决" and row["details"]["refund"]["state"] == "done"
    assert "refund_done" in events(k)
