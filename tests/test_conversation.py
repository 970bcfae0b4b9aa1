"""Conversation scripts through the core with a real temporary SQLite file."""

from __future__ import annotations

import re

import pytest

from bot.events import BuyerSaid
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, FakeClock, agent, say

ORDER = "KM202411221530123456"


def tickets(k: Kefu) -> list[dict]:
    return list(k.store.db.query("SELECT * FROM tickets ORDER BY id"))


def test_faq_answer_offers_solved_and_unsolved(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    reply = buyer.says("卡密怎么用")
    assert "兑换码" in reply
    assert buyer.choices() == ["解决了", "没解决, 转人工"]
    assert "很高兴" in buyer.presses("解决了")
    assert tickets(kefu) == []


def test_unsolved_answer_collects_details_then_opens_ticket(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("卡密怎么用")
    assert "订单号" in buyer.presses("没解决, 转人工")
    assert "没有订单号" in buyer.choices()  # card_usage accepts no order number
    assert "怎么处理" in buyer.says(ORDER)
    reply = buyer.presses("查询")
    assert re.search(r"工单 #T1001 已受理 \(卡密使用 · 查询\), 预计 \d\d:\d\d 前回复", reply)
    assert tickets(kefu)[0]["order_no"] == ORDER


def test_clarify_offers_the_close_intents(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    reply = buyer.says("退款")
    assert "你是想问哪一个" in reply
    assert {"申请退款", "退款进度"} <= set(buyer.choices())
    assert "1-3 个工作日" in buyer.presses("退款进度")


def test_an_order_number_sent_while_asked_which_problem_is_kept(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("退款")
    offered = buyer.choices()
    reply = buyer.says("ＫＭ２０２４１１２２１５３０１２３４５６")  # full-width, nothing else
    assert f"收到订单号 {ORDER}" in reply and buyer.choices() == offered
    reply = buyer.presses("申请退款")
    assert "已受理" in reply and "订单号" not in reply.split("已受理")[0]  # not asked again
    assert tickets(kefu)[0]["order_no"] == ORDER


def test_a_reply_to_the_choices_is_read_with_the_question(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("退款")
    assert "退款进度" in buyer.choices()
    assert "1-3 个工作日" in buyer.says("什么时候")  # alone it is unclear; with 退款 it is not


def test_an_order_number_then_a_word_is_still_read_with_the_question(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("退款")
    buyer.says(ORDER)
    assert "1-3 个工作日" in buyer.says("什么时候")


def test_a_new_topic_while_choices_wait_is_not_forced_into_one(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("退款")
    assert "卡密、充值、退款" in buyer.says("今天天气怎么样")  # the fallback, not a refund


def test_an_order_number_is_not_carried_into_an_unrelated_new_question(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"卡密怎么用 {ORDER}")
    buyer.presses("解决了")
    assert "订单号" in buyer.says("我要退款")  # a finished exchange leaves nothing behind


def test_fallback_says_what_kefu_does_and_offers_a_person(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    assert "卡密、充值、退款" in buyer.says("今天天气怎么样")
    assert buyer.choices() == ["转人工"]


def test_handoff_with_all_details_asks_nothing(kefu: Kefu) -> None:
    reply = Buyer(kefu).says(f"付了钱卡密没到 订单号:{ORDER} 帮我补发 花了五十块")
    assert "刷新订单页" in reply  # the answer first
    assert re.search(r"工单 #T1001 已受理 \(卡密未到账 · 补发\), 预计 \d\d:\d\d 前回复", reply)
    assert "金额: 50 元" in reply
    [row] = tickets(kefu)
    assert (row["order_no"], row["demand"], row["amount"], row["tier"]) == (ORDER, "补发", 50, "A")


@pytest.mark.parametrize(("first", "asked", "answer", "next_asked"), [
    ("付了钱卡密没到 帮我补发", "订单号", ORDER, None),
    (f"付了钱卡密没到 {ORDER}", "怎么处理", "补发", None),
    ("付了钱卡密没到", "订单号", ORDER, "怎么处理"),
    ("转人工", "哪类问题", "卡密没收到", "订单号"),
])
def test_handoff_asks_only_for_what_is_missing(kefu: Kefu, first: str, asked: str, answer: str,
                                               next_asked: str | None) -> None:
    buyer = Buyer(kefu)
    assert asked in buyer.says(first)
    reply = buyer.says(answer)
    if next_asked:
        assert next_asked in reply
        assert tickets(kefu) == []
    else:
        assert "已受理" in reply


def test_fixed_demand_is_not_asked(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    assert "订单号" in buyer.says("我要退款")
    assert "已受理 (申请退款 · 退款)" in buyer.says(ORDER)


def test_malformed_order_number_is_explained_and_asked_again(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("付了钱卡密没到")
    reply = buyer.says("KM2024")
    assert "不像订单号" in reply and "12-24 位数字" in reply
    assert tickets(kefu) == []
    assert "怎么处理" in buyer.says(f"哦哦 是 {ORDER}")


def test_required_order_number_missing_explains_where_to_find_it(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("付了钱卡密没到")
    assert "我的订单" in buyer.says("我没有订单号")
    assert "怎么处理" in buyer.presses("找不到订单号")
    assert "已受理" in buyer.presses("补发")
    assert tickets(kefu)[0]["order_no"] is None


def test_cancel_during_intake_opens_nothing(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("付了钱卡密没到")
    assert "已取消" in buyer.says("取消")
    assert tickets(kefu) == []
    assert kefu.store.conversations.get(42).step == "idle"


def test_restart_mid_intake_resumes_at_the_same_step(make_kefu) -> None:
    first = make_kefu()
    Buyer(first).says("付了钱卡密没到")
    first.store.db.conn.close()
    second = make_kefu()  # a new process would open the same file the same way
    assert "怎么处理" in Buyer(second).says(ORDER)


def test_second_message_joins_open_ticket(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    reply = buyer.says("还没好吗 急用")
    assert "已补充到工单 #T1001" in reply and "预计" in reply
    assert len(tickets(kefu)) == 1
    staff = [o.text for o in buyer.last if o.audience == "staff"]
    assert staff == ["买家补充: 还没好吗 急用"]


def test_agent_claims_replies_moves_stages_and_resolves(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    claim = agent(kefu, 501, "claim", 1)
    assert claim.ok and "小王 已接手" in claim.outs[0].text
    reply = agent(kefu, 501, "reply", 1, "您好, 正在查询")
    assert reply.outs[0].text == "【客服 小王】您好, 正在查询"
    assert "正在核实" in agent(kefu, 501, "stage", 1, "核实").outs[0].text
    assert "正在为你处理 (补发)" in agent(kefu, 501, "stage", 1, "处理").outs[0].text
    assert "已解决" in agent(kefu, 501, "resolve", 1).outs[0].text
    row = tickets(kefu)[0]
    assert row["stage"] == "已解决" and row["first_reply_at"] and row["resolved_at"]
    events = [e["event"] for e in kefu.store.ticket_events.of(1)]
    assert events == ["opened", "claimed", "reply", "stage", "stage", "resolved"]


def test_bot_stays_quiet_once_an_agent_owns_the_ticket(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 501, "claim", 1)
    assert buyer.says("你好 在吗") == ""
    assert [o.text for o in buyer.last] == ["买家补充: 你好 在吗"]


def test_unknown_agent_changes_nothing(kefu: Kefu) -> None:
    Buyer(kefu).says(f"付了钱卡密没到 {ORDER} 补发")
    result = agent(kefu, 999, "claim", 1)
    assert not result.ok and result.outs == []
    assert tickets(kefu)[0]["agent_id"] is None


def test_status_lists_own_tickets_only(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    assert "没有工单" in Buyer(kefu, 2).command("status")
    assert "#T1001 卡密未到账 · 补发: 已受理" in Buyer(kefu, 1).command("status")


def test_forged_button_changes_nothing(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    assert "过期" in buyer.presses("withdraw:1")
    assert "过期" in buyer.presses("demand:退款")
    assert tickets(kefu) == []


def test_buyer_cannot_withdraw_someone_elses_ticket(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    other = Buyer(kefu, 2)
    other.says("账号被盗了")
    other.command("cancel")
    assert "过期" in other.presses("withdraw:1")
    assert tickets(kefu)[0]["stage"] == "受理"


def test_typed_number_picks_an_offered_choice(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("卡密怎么用")
    assert "很高兴" in buyer.says("1")


@pytest.mark.parametrize("kind", ["sticker", "voice", "video", "location"])
def test_unreadable_messages_get_a_polite_reply(kefu: Kefu, kind: str) -> None:
    assert "请用文字描述" in Buyer(kefu).says("", kind=kind)


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "x" * 10_000, "🙏🙏🙏", "12345"])
def test_bad_input_gets_a_reply_and_never_raises(kefu: Kefu, text: str) -> None:
    assert Buyer(kefu).says(text).strip()


def test_screenshot_during_intake_is_attached_to_the_ticket(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("付了钱卡密没到 补发")
    assert "截图收到" in buyer.says("", kind="photo", file_id="F1")
    buyer.says(ORDER)
    assert '"file_id": "F1"' in tickets(kefu)[0]["details"]


def test_edit_corrects_the_order_number(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    buyer.presses("修改信息")
    buyer.presses("订单号")
    assert "订单号: KM202411221530999999" in buyer.says("KM202411221530999999")
    assert tickets(kefu)[0]["order_no"] == "KM202411221530999999"


def test_s_tier_ticket_opens_at_once_without_order_number(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    assert "没有订单号" in buyer.says("账号被盗了")
    reply = buyer.presses("没有订单号")
    assert "已受理 (账号被盗 · 其他)" in reply
    assert tickets(kefu)[0]["tier"] == "S"


def test_every_message_is_recorded_both_ways(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 501, "reply", 1, "马上补发")
    rows = list(kefu.store.db.query("SELECT direction, sender FROM messages ORDER BY id"))
    assert rows[0] == {"direction": "in", "sender": "buyer"}
    assert {"direction": "out", "sender": "agent:501"} in rows
    assert sum(r["sender"] == "bot" for r in rows) == 2


def test_outside_business_hours_promise_starts_at_opening(kefu: Kefu, clock: FakeClock) -> None:
    clock.advance(hours=12)  # 02:00 in Shanghai
    reply = Buyer(kefu).says(f"付了钱卡密没到 {ORDER} 补发")
    assert "非工作时间 (客服在线 09:00-24:00)" in reply
    assert re.search(r"预计 09:\d\d 前回复", reply)


def test_redelivered_update_is_handled_once(kefu: Kefu) -> None:
    event = BuyerSaid(42, f"付了钱卡密没到 {ORDER} 补发", "小张", event_id="tg:1001")
    assert say(kefu, event)
    assert say(kefu, event) == []
    assert kefu.store.db["tickets"].count == 1
    assert kefu.store.db["messages"].count_where("direction = 'in'") == 1


def decisions(k: Kefu) -> list[tuple[str, str | None, str | None]]:
    """(text, decision, intent) of every buyer message, oldest first."""
    rows = k.store.db.query("SELECT text, decision, intent FROM messages "
                            "WHERE direction = 'in' ORDER BY id")
    return [(r["text"], r["decision"], r["intent"]) for r in rows]


def test_the_matchers_decision_is_recorded_on_the_buyers_message(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("卡密怎么用")
    buyer.presses("解决了")
    buyer.says("今天天气怎么样")
    buyer.says("退款")
    buyer.says(ORDER)  # only an order number while asked which one: asked again
    buyer.says("什么时候")  # read with the question: refund progress
    assert decisions(kefu) == [
        ("卡密怎么用", "answer", "card_usage"), ("fb:yes", None, None),
        ("今天天气怎么样", "fallback", "none"), ("退款", "clarify", "refund_request"),
        (ORDER, "clarify", "refund_request"), ("什么时候", "answer", "refund_progress")]


def test_messages_the_matcher_did_not_decide_on_record_no_decision(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("卡密怎么用")
    buyer.presses("没解决, 转人工")
    buyer.says(ORDER)  # an answer to "which order?", not read by the matcher
    buyer.command("status")
    assert [d for _, d, _ in decisions(kefu)] == ["answer", None, None, None]
