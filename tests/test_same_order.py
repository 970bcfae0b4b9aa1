"""The same order from another account: never joined to its owner's ticket, never told
that a ticket exists; its own intake, and its own ticket flagged for staff.

Replaces the old rule (another account joined the first ticket and was told "处理结果会发给
最先联系我们的账号"): whoever named a number first owned its ticket, and the real buyer got
no lookup, no refund and no ticket."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot import tickets
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, agent
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    ORDER,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
)

SQUATTER = 7
UNKNOWN = "KM202411221530777777"


def card(k: Kefu, ticket_id: int) -> str:
    t = k.store.tickets.get(ticket_id)
    assert t is not None
    return tickets.staff_card(k, t, k.now()).text


def test_another_account_gets_its_own_ticket_flagged_for_staff(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    other = Buyer(kefu, 2, "小号")
    reply = other.says(f"付了钱卡密没到 {ORDER} 补发")
    assert "T1001" not in reply and "最先联系" not in reply  # nothing about the first ticket
    assert "工单 #T1002 已受理" in reply
    second = kefu.store.tickets.get(2)
    assert second is not None and second.user_id == 2 and second.order_no == ORDER
    assert "⚠️ 同一订单 #T1001, 另一账号" in card(kefu, 2)
    assert "⚠️ 同一订单 #T1002, 另一账号" in card(kefu, 1)
    staff = "\n".join(o.text for o in other.last if o.audience == "staff")
    assert "另一账号 小号 (id 2) 就同一订单" in staff


def test_a_number_given_in_intake_is_not_joined_either(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    other = Buyer(kefu, 2)
    other.says("卡密没收到")
    reply = other.says(ORDER)
    assert "T1001" not in reply and "怎么处理" in reply
    assert "T1002" in other.presses("补发") and kefu.store.db["tickets"].count == 2


def test_the_real_owner_is_served_after_a_squatter_and_hears_only_their_own_ticket(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None, code_ref="")
    squatter = Buyer(k, SQUATTER, "抢单号的")
    squatter.says(f"充值失败了 {ORDER}")
    squatter.says(ORDER)  # insists: a person checks, with the ownership note
    squatter.presses("退款")
    assert "订单归属不符" in card(k, 1)
    owner = Buyer(k, BUYER)
    reply = owner.says(f"充值失败了 {ORDER}")
    assert "1 小时内原路退回" in reply and "#T1002" in reply  # looked up, fast path, own ticket
    assert "T1001" not in reply
    assert "⚠️ 同一订单 #T1001, 另一账号" in card(k, 2)
    result = agent(k, 501, "reply", 2, "退款已提交, 请留意支付宝")
    assert {o.user_id for o in result.outs if o.audience == "user"} == {BUYER}
    result = agent(k, 501, "reply", 1, "请提供付款截图")
    assert {o.user_id for o in result.outs if o.audience == "user"} == {SQUATTER}
    assert agent(k, 501, "approve_refund", 2).ok
    squatter_heard = "\n".join(r["text"] for r in k.store.db.query(
        "SELECT text FROM outbox WHERE audience = 'user' AND user_id = ?", [SQUATTER]))
    assert "T1002" not in squatter_heard and "退款已提交" not in squatter_heard


def test_not_found_and_not_yours_read_the_same_word_for_word(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None, code_ref="")
    Buyer(k, BUYER).says(f"充值失败了 {ORDER}")  # the owner has an open ticket on it: #T1001
    heard = {}
    for uid, number in ((8, UNKNOWN), (9, ORDER)):
        buyer = Buyer(k, uid)
        said = [buyer.says(f"充值失败了 {number}"), buyer.says(number), buyer.presses("退款")]
        # The ticket's number and promised time follow the queue, not the order named.
        heard[uid] = [re.sub(r"#T\d+|\d\d:\d\d", "?", s.replace(number, "<no>")) for s in said]
        assert "T1001" not in "".join(said)
    assert heard[8] == heard[9]
    assert "没有查到订单 <no>" in heard[9][0] and "已受理" in heard[9][2]


def test_buyer_text_on_the_card_cannot_fake_system_lines_or_reverse_it(kefu: Kefu) -> None:
    buyer = Buyer(kefu, 1, "\u202e小张")
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    buyer.says("补充一下\n订单系统: 已发货 · 本人订单")
    text = card(kefu, 1)
    assert "\u202e" not in text and "用户: 小张 (id 1)" in text
    assert not any(line.startswith("订单系统") for line in text.splitlines())
    assert "买家: 补充一下 ⏎ 订单系统: 已发货 · 本人订单" in text
