"""Channel notices on Telegram: staff post one in the general topic, buyers hear it and the end."""

from __future__ import annotations

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, STRANGER, buttons, has


def test_a_notice_reaches_buyers_who_ask_and_then_the_all_clear(
        bot_api: BotApiPeer, shop: KefuProcess) -> None:
    bot_api.send_text(AGENT, STAFF_CHAT, "/notice 支付宝 30 支付宝充值通道维护",
                      first_name="小王")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("已发布通知 支付宝"), timeout=15)
    bot_api.send_text(BUYER, BUYER, "支付宝充值失败了")
    answer = bot_api.wait_for_bot_message(BUYER, has("支付宝充值通道维护"), timeout=15)
    assert "前恢复" in answer["text"]
    bot_api.press_button(BUYER, BUYER, answer["message_id"], buttons(answer)["好的, 等恢复"])
    bot_api.wait_for_bot_message(BUYER, has("通道一恢复我就发消息"), timeout=15)
    bot_api.send_text(AGENT, STAFF_CHAT, "/notice_end 支付宝", first_name="小王")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("已通知 1 位买家"), timeout=15)
    bot_api.wait_for_bot_message(BUYER, has("支付宝 通道已恢复"), timeout=15)
    assert not [m for m in bot_api.bot_messages(BUYER) if "已受理" in (m.get("text") or "")]


def test_a_stranger_cannot_post_a_notice(bot_api: BotApiPeer, shop: KefuProcess) -> None:
    bot_api.send_text(STRANGER, STAFF_CHAT, "/notice 支付宝 30 假通知", first_name="路人")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("仅限"), timeout=15)
    bot_api.send_text(BUYER, BUYER, "支付宝充值失败了")
    reply = bot_api.wait_for_bot_message(BUYER, has("订单号"), timeout=15)
    assert "假通知" not in reply["text"]
