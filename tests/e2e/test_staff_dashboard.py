"""Issue 16 on the emulator: the topic list is the dashboard, and the staff group's
messages a minute are spent on what agents need."""

from __future__ import annotations

from typing import Any

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, buttons, has, open_ticket, ticket_row, wait_until

# Bot API calls that write in a chat (Telegram counts them against its limits).
WRITES = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText", "createForumTopic",
          "editForumTopic", "closeForumTopic", "reopenForumTopic")


def staff_writes(peer: BotApiPeer) -> list[str]:
    """The methods of every write kefu made in the staff group, in order."""
    return [c["method"] for c in peer.calls() if c["method"] in WRITES
            and str(c["params"].get("chat_id")) == str(STAFF_CHAT)]


def topic(peer: BotApiPeer) -> dict[str, Any]:
    [only] = peer.topics(STAFF_CHAT)
    return only


def card_now(peer: BotApiPeer, card_id: int) -> dict[str, Any]:
    return next(m for m in peer.bot_messages(STAFF_CHAT) if m["message_id"] == card_id)


def test_claim_stage_resolve_show_on_the_card_title_and_closed_topic(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    thread, card_id = card["message_thread_id"], card["message_id"]
    bot_api.press_button(AGENT, STAFF_CHAT, card_id, buttons(card)["认领"])
    wait_until(lambda: "负责人: 小王" in card_now(bot_api, card_id)["text"], what="card")
    bot_api.send_text(AGENT, STAFF_CHAT, "在查了", first_name="小王", thread_id=thread)
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】在查了"), timeout=15)
    bot_api.send_text(BUYER, BUYER, "好的 谢谢")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("买家补充: 好的 谢谢"), timeout=15)
    bot_api.send_text(AGENT, STAFF_CHAT, "/stage 处理", first_name="小王", thread_id=thread)
    wait_until(lambda: "[处理]" in card_now(bot_api, card_id)["text"], what="stage")
    bot_api.send_text(AGENT, STAFF_CHAT, "/resolve", first_name="小王", thread_id=thread)
    wait_until(lambda: topic(bot_api)["is_closed"], what="closed topic")
    assert topic(bot_api)["name"] == "🟠 #T1001 A 卡密未到账"  # 🔒 shows it: no rename
    done = wait_until(lambda: "[已解决]" in card_now(bot_api, card_id)["text"]
                      and card_now(bot_api, card_id), what="resolved card")
    assert buttons(done) == {} and "买家回复可重新打开" in done["text"]
    said = [m.get("text") or "" for m in bot_api.bot_messages(STAFF_CHAT)]
    assert not any("认领了" in s or "解决了" in s or "→ 处理" in s for s in said)
    assert ticket_row(shop)["stage"] == "已解决"


def test_a_reopened_ticket_reopens_its_topic_with_its_tier_mark(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    bot_api.send_text(AGENT, STAFF_CHAT, "/resolve", first_name="小王",
                      thread_id=card["message_thread_id"])
    wait_until(lambda: topic(bot_api)["is_closed"], what="closed topic")
    rated = bot_api.wait_for_bot_message(BUYER, lambda m: "重新打开" in str(buttons(m)),
                                         timeout=15)
    label = next(k for k in buttons(rated) if "重新打开" in k)
    bot_api.press_button(BUYER, BUYER, rated["message_id"], buttons(rated)[label])
    wait_until(lambda: not topic(bot_api)["is_closed"], what="reopened topic")
    assert topic(bot_api)["name"].startswith("🟠 #T1001 A")
    wait_until(lambda: buttons(card_now(bot_api, card["message_id"])), what="buttons back")


def test_escalating_renames_the_topic_with_the_new_tier(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    bot_api.send_text(AGENT, STAFF_CHAT, "/escalate 金额大", first_name="小王",
                      thread_id=card["message_thread_id"])
    wait_until(lambda: topic(bot_api)["name"].startswith("🟣 #T1001 S"), what="S title")
    wait_until(lambda: card_now(bot_api, card["message_id"])["text"].startswith("🟣 #T1001 S"),
               what="S card")


def test_the_normal_path_costs_few_staff_group_writes(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    """Open, claim, two replies each way, one stage, resolve: every change one edit."""
    _, card = open_ticket(bot_api)
    thread, card_id = card["message_thread_id"], card["message_id"]
    bot_api.press_button(AGENT, STAFF_CHAT, card_id, buttons(card)["认领"])
    for n in range(2):
        bot_api.send_text(AGENT, STAFF_CHAT, f"回复{n}", first_name="小王", thread_id=thread)
        bot_api.wait_for_bot_message(BUYER, has(f"【客服 小王】回复{n}"), timeout=15)
        bot_api.send_text(BUYER, BUYER, f"好的{n} 还要等多久")
        bot_api.wait_for_bot_message(STAFF_CHAT, has(f"买家补充: 好的{n}"), timeout=15)
    bot_api.send_text(AGENT, STAFF_CHAT, "/stage 处理", first_name="小王", thread_id=thread)
    wait_until(lambda: "[处理]" in card_now(bot_api, card_id)["text"], what="stage")
    bot_api.send_text(AGENT, STAFF_CHAT, "/resolve", first_name="小王", thread_id=thread)
    wait_until(lambda: topic(bot_api)["is_closed"] and "[已解决]"
               in card_now(bot_api, card_id)["text"], what="resolved")
    writes = staff_writes(bot_api)
    # topic + card, the buyer's two messages, and one write per change the card or the
    # title shows: claim (edit), stage (edit), resolve (edit + close); no rename, no notice.
    assert writes.count("sendMessage") == 3, writes  # the card and the buyer's two messages
    assert "editForumTopic" not in writes and len(writes) <= 8, writes


def test_queue_names_the_owner_and_filters(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    _, card = open_ticket(bot_api)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], buttons(card)["认领"])
    wait_until(lambda: "负责人: 小王" in card_now(bot_api, card["message_id"])["text"],
               what="claimed")
    asked = bot_api.send_text(AGENT, STAFF_CHAT, "/queue mine", first_name="小王")
    mine = bot_api.wait_for_bot_message(STAFF_CHAT, has("待处理 1 单 (我的)"),
                                        after_message_id=asked["message_id"], timeout=15)
    assert "小王" in mine["text"] and f"@{AGENT}" not in mine["text"]
    assert "承诺 = 答应买家" in mine["text"] and "SLA" in mine["text"]
    asked = bot_api.send_text(AGENT, STAFF_CHAT, "/queue unclaimed", first_name="小王")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("队列 (未认领) 为空"),
                                 after_message_id=asked["message_id"], timeout=15)


def test_changes_a_moment_apart_become_one_card_edit(
    bot_api: BotApiPeer, shop: KefuProcess
) -> None:
    _, card = open_ticket(bot_api)
    data = buttons(card)
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["认领"])
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], data["处理中"])
    wait_until(lambda: "[处理]" in card_now(bot_api, card["message_id"])["text"]
               and "负责人: 小王" in card_now(bot_api, card["message_id"])["text"], what="card")
    wait_until(lambda: len(bot_api.calls("answerCallbackQuery")) == 2, what="answers")
    assert staff_writes(bot_api).count("editMessageText") == 1
