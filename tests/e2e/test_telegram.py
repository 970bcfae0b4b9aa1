"""kefu on Telegram, through real HTTP against the loopback Bot API peer."""

from __future__ import annotations

import re

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess
from tests.e2e.peer import BotApiPeer, Message
from tests.e2e.shop import (
    BUYER,
    ORDER,
    STRANGER,
    buttons,
    has,
    rows,
    ticket_row,
    wait_until,
)


def open_ticket(peer: BotApiPeer) -> tuple[Message, dict]:
    """Buyer states everything at once; returns the confirmation and the staff topic."""
    peer.send_text(BUYER, BUYER, f"付了钱卡密没到 订单号:{ORDER} 帮我补发 花了五十块")
    confirmation = peer.wait_for_bot_message(BUYER, has("已受理"), timeout=10)
    card = peer.wait_for_bot_message(STAFF_CHAT, has("#T1001"), timeout=10)
    [topic] = peer.topics(STAFF_CHAT)
    assert card.get("message_thread_id") == topic["message_thread_id"]
    return confirmation, topic


def test_faq_question_is_answered_with_choices(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    bot_api.send_text(BUYER, BUYER, "卡密怎么用")
    reply = bot_api.wait_for_bot_message(BUYER, has("兑换码"), timeout=10)
    assert set(buttons(reply)) == {"解决了", "没解决, 转人工"}
    bot_api.press_button(BUYER, BUYER, reply["message_id"], buttons(reply)["解决了"])
    bot_api.wait_for_bot_message(BUYER, has("很高兴"), timeout=10)


def test_what_one_turn_says_arrives_as_one_message(bot_api: BotApiPeer, shop: KefuProcess
                                                   ) -> None:
    bot_api.send_text(BUYER, BUYER, "卡密没收到")  # an answer, then the question for intake
    reply = bot_api.wait_for_bot_message(BUYER, has("订单号"), timeout=10)
    [message] = bot_api.bot_messages(BUYER)
    assert message["message_id"] == reply["message_id"]
    answer, ask = reply["text"].split("\n\n", 1)
    assert "卡密" in answer and "请发一下订单号" in ask
    queued = rows(shop, "SELECT text FROM outbox WHERE user_id = ? ORDER BY id", (BUYER,))
    assert [r["text"] for r in queued] == [answer, ask]  # the transcript keeps them apart


def test_menus_are_set_for_buyers_and_staff(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    commands = {c["key"].split("|")[0]: c["commands"] for c in bot_api.my_commands()}
    names = [{c["command"] for c in cmds} for cmds in commands.values()]
    assert {"start", "status", "human", "cancel", "help"} in names
    assert any({"queue", "duty", "note"} <= n for n in names)


def test_full_handoff_puts_a_ticket_card_in_the_staff_topic(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    confirmation, topic = open_ticket(bot_api)
    # A clock time; in the half hour before midnight (Shanghai) it is tomorrow's.
    assert re.search(
        r"工单 #T1001 已受理 \(卡密未到账 · 补发\), 预计 (明天 )?\d\d:\d\d 前回复",
        confirmation["text"],
    )
    assert topic["name"] == "🟠 #T1001 A 卡密未到账"
    card = bot_api.wait_for_bot_message(STAFF_CHAT, has("订单号: " + ORDER), timeout=10)
    assert "诉求: 补发" in card["text"] and "金额: 50 元" in card["text"]
    assert set(buttons(card)) == {"认领", "核实中", "处理中", "已解决", "升级"}


def test_agent_text_in_the_topic_reaches_the_buyer_signed(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, topic = open_ticket(bot_api)
    bot_api.send_text(
        AGENT,
        STAFF_CHAT,
        "您好, 正在帮您查",
        first_name="小王",
        thread_id=topic["message_thread_id"],
    )
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】您好, 正在帮您查"), timeout=10)
    bot_api.send_text(BUYER, BUYER, "好的 谢谢 大概多久")
    bot_api.wait_for_bot_message(
        STAFF_CHAT,
        has("买家补充: 好的 谢谢 大概多久"),
        thread_id=topic["message_thread_id"],
        timeout=10,
    )
    assert ticket_row(shop)["first_reply_at"]


def test_stage_buttons_push_progress_and_resolve(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    open_ticket(bot_api)
    card = bot_api.wait_for_bot_message(STAFF_CHAT, lambda m: bool(buttons(m)))
    data = buttons(card)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["认领"])
    bot_api.wait_for_bot_message(BUYER, has("已接手工单 #T1001"), timeout=10)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["核实中"])
    bot_api.wait_for_bot_message(BUYER, has("正在核实"), timeout=10)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["已解决"])
    bot_api.wait_for_bot_message(BUYER, has("已解决"), timeout=10)
    row = ticket_row(shop)
    assert (row["stage"], row["agent_id"]) == ("已解决", AGENT)


def test_non_staff_pressing_a_staff_button_changes_nothing(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    open_ticket(bot_api)
    card = bot_api.wait_for_bot_message(STAFF_CHAT, lambda m: bool(buttons(m)))
    query = bot_api.press_button(
        STRANGER, STAFF_CHAT, card["message_id"], buttons(card)["已解决"], first_name="路人"
    )
    bot_api.wait_for_bot_message(BUYER, has("已受理"), timeout=5)
    answer = _wait_answer(bot_api, query)
    assert "无权限" in answer["text"]
    row = ticket_row(shop)
    assert (row["stage"], row["agent_id"]) == ("受理", None)


def _wait_answer(peer: BotApiPeer, query_id: str, timeout: float = 10.0) -> dict:
    return wait_until(lambda: peer.callback_answers().get(query_id), timeout,
                      f"an answer to callback {query_id}")


def test_buyer_screenshot_reaches_the_agent_as_a_photo(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, topic = open_ticket(bot_api)
    bot_api.send_file(BUYER, BUYER, b"\x89PNG fake screenshot", caption="这是付款截图")
    photo = bot_api.wait_for_bot_message(
        STAFF_CHAT,
        lambda m: bool(m.get("photo")),
        thread_id=topic["message_thread_id"],
        timeout=10,
    )
    assert "买家发来截图: 这是付款截图" in photo["caption"]
    assert "evidence" in ticket_row(shop)["details"]


def test_messages_in_other_groups_are_ignored(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    bot_api.send_text(BUYER, -100999, "卡密怎么用", chat_type="supergroup")
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, timeout=10)
    assert bot_api.bot_messages(-100999) == []


def test_queue_and_duty_in_the_general_topic(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    open_ticket(bot_api)
    bot_api.send_text(AGENT, STAFF_CHAT, "/duty on", first_name="小王")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("小王 上岗"), timeout=10)
    bot_api.send_text(AGENT, STAFF_CHAT, "/queue", first_name="小王")
    queue = bot_api.wait_for_bot_message(STAFF_CHAT, has("待处理 1 单"), timeout=10)
    assert "#T1001 A 卡密未到账" in queue["text"]
    bot_api.send_text(STRANGER, STAFF_CHAT, "/queue", first_name="路人")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("无权限"), timeout=10)
