"""The staff side without forum topics (reply-to-card threads), and topics that vanish."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess, write_config
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, PNG, buttons, has, open_ticket, rows, ticket_row, wait_until


@pytest.fixture
def plain_shop(bot_api: BotApiPeer, tmp_path: Path) -> Iterator[KefuProcess]:
    """A staff supergroup without topics and a running kefu process."""
    bot_api.set_chat(STAFF_CHAT, chat_type="supergroup", title="售后客服组")
    bot_api.set_member(STAFF_CHAT, AGENT, "member")
    kefu = KefuProcess(bot_api, write_config(tmp_path)).start()
    yield kefu
    kefu.stop()


def test_without_topics_the_card_is_a_message_and_replies_to_it_reach_the_buyer(
    bot_api: BotApiPeer, plain_shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    assert "#T1001" in card["text"] and "message_thread_id" not in card
    assert bot_api.topics(STAFF_CHAT) == [] and not bot_api.calls("createForumTopic")
    bot_api.send_text(AGENT, STAFF_CHAT, "您好, 正在帮您查", first_name="小王",
                      reply_to=card["message_id"])
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】您好, 正在帮您查"), timeout=15)
    follow_up = bot_api.send_text(BUYER, BUYER, "好的 大概多久")
    relayed = bot_api.wait_for_bot_message(
        STAFF_CHAT, has("买家补充: 好的 大概多久"), after_message_id=follow_up["message_id"],
        timeout=15)
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]
    assert ticket_row(plain_shop)["first_reply_at"]


def test_without_topics_a_reply_to_a_relayed_message_also_finds_the_ticket(
    bot_api: BotApiPeer, plain_shop: KefuProcess
) -> None:
    open_ticket(bot_api)
    bot_api.send_text(BUYER, BUYER, "还有 我付了两次")
    relayed = bot_api.wait_for_bot_message(STAFF_CHAT, has("买家补充: 还有 我付了两次"),
                                           timeout=15)
    bot_api.send_text(AGENT, STAFF_CHAT, "/note 查支付流水", first_name="小王",
                      reply_to=relayed["message_id"])
    # The note is the agent's own message in the thread: kefu records it, echoes nothing
    # (issue 16: echoes spent the group's 20 messages a minute).
    wait_until(lambda: rows(plain_shop, "SELECT * FROM ticket_events WHERE event = 'note'"),
               what="note recorded")
    bot_api.send_text(AGENT, STAFF_CHAT, "两笔都查到了, 多的一笔原路退回", first_name="小王",
                      reply_to=relayed["message_id"])
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】两笔都查到了"), timeout=15)
    assert not any("查支付流水" in (m.get("text") or "") for m in bot_api.bot_messages(BUYER))


def test_without_topics_card_buttons_move_the_ticket(
    bot_api: BotApiPeer, plain_shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    data = buttons(card)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["认领"])
    bot_api.wait_for_bot_message(BUYER, has("已接手工单 #T1001"), timeout=15)
    card_id = card["message_id"]
    bot_api.wait_for_bot_message(
        STAFF_CHAT, lambda m: m["message_id"] == card_id and "负责人: 小王" in m["text"],
        timeout=15)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["处理中"])
    bot_api.wait_for_bot_message(BUYER, has("处理"), after_message_id=card["message_id"],
                                 timeout=15)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["已解决"])
    bot_api.wait_for_bot_message(BUYER, has("已解决"), timeout=15)
    row = ticket_row(plain_shop)
    assert (row["stage"], row["agent_id"]) == ("已解决", AGENT)
    # Issue 16: the card shows each step; no "认领了"/"解决了" notices beside it.
    wait_until(lambda: "[已解决]" in bot_api.bot_messages(STAFF_CHAT)[0]["text"], what="card")
    assert [m["message_id"] for m in bot_api.bot_messages(STAFF_CHAT)] == [card_id]
    assert not buttons(bot_api.bot_messages(STAFF_CHAT)[0])



def test_a_deleted_topic_is_recreated_with_the_card_on_top(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    old = card["message_thread_id"]
    bot_api.delete_topic(STAFF_CHAT, old)
    bot_api.send_text(BUYER, BUYER, "还没到吗 急用")
    bot_api.wait_for_bot_message(BUYER, has("#T1001"), after_message_id=card["message_id"],
                                 timeout=15)
    relayed = bot_api.wait_for_bot_message(STAFF_CHAT, has("买家补充: 还没到吗 急用"),
                                           timeout=15)
    [topic] = bot_api.topics(STAFF_CHAT)
    new = topic["message_thread_id"]
    assert new != old and topic["name"] == "🟠 #T1001 A 卡密未到账"
    first, second = bot_api.bot_messages(STAFF_CHAT, new)
    assert "订单号: KM202411221530123456" in first["text"] and buttons(first)
    assert second["message_id"] == relayed["message_id"]
    bot_api.send_text(AGENT, STAFF_CHAT, "马上补发", first_name="小王", thread_id=new)
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】马上补发"), timeout=15)
    bot_api.press_button(AGENT, STAFF_CHAT, first["message_id"], buttons(first)["已解决"])
    bot_api.wait_for_bot_message(BUYER, has("已解决"), timeout=15)


def test_without_topics_a_deleted_card_is_posted_again_and_the_thread_goes_on(
    bot_api: BotApiPeer, plain_shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    bot_api.delete_message(STAFF_CHAT, card["message_id"])
    bot_api.send_text(BUYER, BUYER, "还没到吗 急用")
    relayed = bot_api.wait_for_bot_message(STAFF_CHAT, has("买家补充: 还没到吗 急用"),
                                           timeout=15)
    fresh = relayed["reply_to_message"]
    assert fresh["message_id"] > card["message_id"] and "#T1001" in fresh["text"]
    assert "reply_to_message" not in bot_api.bot_messages(STAFF_CHAT)[0]  # the card starts it
    bot_api.send_text(AGENT, STAFF_CHAT, "马上补发", first_name="小王",
                      reply_to=fresh["message_id"])
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】马上补发"), timeout=15)


def test_an_agents_photo_in_the_topic_reaches_the_buyer_signed(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    sent = bot_api.send_file(AGENT, STAFF_CHAT, PNG, caption="补发的卡密在图里",
                             first_name="小王", thread_id=card["message_thread_id"])
    photo = bot_api.wait_for_bot_message(BUYER, lambda m: bool(m.get("photo")), timeout=15)
    assert photo["caption"] == "【客服 小王】补发的卡密在图里"
    assert photo["photo"][-1]["file_id"] == sent["photo"][-1]["file_id"]
    assert ticket_row(shop)["first_reply_at"]


def test_without_topics_an_agents_file_replying_to_the_card_reaches_the_buyer(
    bot_api: BotApiPeer, plain_shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    bot_api.send_file(AGENT, STAFF_CHAT, b"order,amount\nKM1,50\n", kind="document",
                      filename="退款凭证.csv", first_name="小王", reply_to=card["message_id"])
    document = bot_api.wait_for_bot_message(BUYER, lambda m: bool(m.get("document")),
                                            timeout=15)
    assert document["document"]["file_name"] == "退款凭证.csv"
    assert document["caption"] == "【客服 小王】"


def test_a_reply_too_long_once_signed_reaches_the_buyer_in_two_parts(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    text = "\n".join(f"第{n:04d}行 核对记录 OK" for n in range(300))[:4096]
    bot_api.send_text(AGENT, STAFF_CHAT, text, first_name="小王",
                      thread_id=card["message_thread_id"])
    first = bot_api.wait_for_bot_message(BUYER, has("【客服 小王】第0000行"), timeout=15)
    last = bot_api.wait_for_bot_message(BUYER, after_message_id=first["message_id"], timeout=15)
    assert first["text"] + "\n" + last["text"] == "【客服 小王】" + text  # cut at a line break
