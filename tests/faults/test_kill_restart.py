"""kill -9 of kefu at the worst moments, then a restart on the same database file."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.kefu_process import STAFF_CHAT, KefuProcess, free_port
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, OPENING, ORDER, buttons, has, wait_until
from tests.faults.conftest import Launch
from tests.faults.harness import (
    Locker,
    as_sent,
    database,
    fill_disk,
    inbox,
    kill9,
    outbox,
    rows,
    settled,
    texts,
    undelivered,
)
from tests.faults.proxy import FaultProxy

ASK_DEMAND = "你希望怎么处理"


def test_killed_mid_intake_the_next_answer_opens_the_ticket(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    kefu = launch()
    bot_api.send_text(BUYER, BUYER, f"付了钱卡密没到 订单号:{ORDER}")
    bot_api.wait_for_bot_message(BUYER, has(ASK_DEMAND), timeout=15)
    settled(kefu)
    kill9(kefu)

    launch()
    bot_api.send_text(BUYER, BUYER, "补发")
    bot_api.wait_for_bot_message(BUYER, has("已受理"), timeout=15)
    said = texts(bot_api, BUYER)
    assert sum(ASK_DEMAND in t for t in said) == 1
    assert not any("请发一下订单号" in t for t in said)  # nothing asked again
    [ticket] = rows(kefu, "SELECT * FROM tickets")
    assert (ticket["order_no"], ticket["demand"]) == (ORDER, "补发")


def test_killed_right_after_a_ticket_opens_one_ticket_one_receipt_one_card(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    # The staff group is unreachable, so the card is still waiting at the kill.
    bot_api.inject_fault("createForumTopic", status=500, count=-1, chat_id=STAFF_CHAT)
    kefu = launch()
    bot_api.send_text(BUYER, BUYER, OPENING)
    bot_api.wait_for_bot_message(BUYER, has("已受理"), timeout=15)
    wait_until(lambda: all(r["delivered_at"] for r in outbox(kefu, BUYER)), 15, "the receipt")
    assert [r["audience"] for r in undelivered(kefu)] == ["staff"]
    kill9(kefu)

    bot_api.clear_faults()
    launch()
    bot_api.wait_for_bot_message(STAFF_CHAT, lambda m: bool(buttons(m)), timeout=15)
    bot_api.send_text(BUYER, BUYER, "补充一下, 是昨晚买的")
    bot_api.wait_for_bot_message(STAFF_CHAT, has("是昨晚买的"), timeout=15)
    settled(kefu)
    assert len(rows(kefu, "SELECT * FROM tickets")) == 1
    assert sum("工单 #T1001 已受理" in t for t in texts(bot_api, BUYER)) == 1
    assert sum("#T1001" in t and "订单号" in t for t in texts(bot_api, STAFF_CHAT)) == 1
    assert len(bot_api.topics(STAFF_CHAT)) == 1


def test_messages_waiting_at_a_kill_are_delivered_once_in_order_after_restart(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    bot_api.inject_fault("sendMessage", status=500, count=-1, chat_id=BUYER)
    kefu = launch()
    for n, text in enumerate(["你好", "卡密怎么用", "退款多久到"], 1):
        bot_api.send_text(BUYER, BUYER, text)
        wait_until(lambda n=n: len(outbox(kefu, BUYER)) >= n and not inbox(kefu), 15,
                   f"the turn for {text}")
    wait_until(lambda: bot_api.calls("sendMessage"), 15, "a delivery attempt")
    assert outbox(kefu, BUYER) and not any(r["delivered_at"] for r in outbox(kefu, BUYER))
    assert texts(bot_api, BUYER) == []
    kill9(kefu)

    bot_api.clear_faults()
    launch()
    settled(kefu)
    queued = as_sent(outbox(kefu, BUYER))
    assert len(queued) >= 3
    assert texts(bot_api, BUYER) == queued  # each once, in the order kefu queued them


def test_a_message_stored_but_not_handled_before_a_kill_is_handled_once_after_restart(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    kefu = launch()
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has("有什么可以帮你"), timeout=15)
    settled(kefu)
    fill_disk(kefu, frames=4)  # room to store the message, not to handle it
    bot_api.send_text(BUYER, BUYER, "卡密怎么用")
    bot_api.wait_for_bot_message(BUYER, has("消息收到了"), timeout=15)
    assert [r["user_id"] for r in inbox(kefu)] == [BUYER]
    kill9(kefu)

    launch()
    bot_api.wait_for_bot_message(BUYER, has("兑换码"), timeout=15)
    settled(kefu)
    said = texts(bot_api, BUYER)
    assert sum("兑换码" in t for t in said) == 1
    assert sum("消息收到了" in t for t in said) == 1
    handled = rows(kefu, "SELECT * FROM messages WHERE direction = 'in' AND text = ?",
                   ("卡密怎么用",))
    assert len(handled) == 1


def test_a_send_cut_short_by_a_kill_after_telegram_took_it_is_sent_again(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    # The one window where kefu repeats itself: Telegram has the message, kefu has not
    # recorded that yet. Delivery is at least once, never lost.
    proxy.hang("sendMessage", chat_id=BUYER, deliver=True)
    kefu = launch(proxy)
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has("有什么可以帮你"), timeout=15)
    assert not any(r["delivered_at"] for r in outbox(kefu, BUYER))
    kill9(kefu)

    launch(proxy)
    settled(kefu)
    assert [t for t in texts(bot_api, BUYER) if "有什么可以帮你" in t] == [
        outbox(kefu, BUYER)[0]["text"]] * 2


def test_a_message_fetched_but_not_yet_stored_at_a_kill_is_not_lost(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    # An update is confirmed to Telegram by the next getUpdates; kefu asks for it only once
    # the update is stored, so dying in between means Telegram sends it again.
    kefu = launch(proxy)
    locker = Locker(database(kefu))  # storing the message waits for the lock...
    try:
        bot_api.send_text(BUYER, BUYER, "你好")
        wait_until(lambda: any("你好" in s.answer.decode() for s in proxy.seen("getUpdates")),
                   15, "kefu fetching the message")
        kill9(kefu)  # ...and kefu dies before it could
    finally:
        locker.release()

    launch(proxy)
    bot_api.wait_for_bot_message(BUYER, has("有什么可以帮你"), timeout=15)
    settled(kefu)
    assert sum("有什么可以帮你" in t for t in texts(bot_api, BUYER)) == 1


def test_a_webhook_update_not_yet_stored_at_a_kill_is_posted_again_and_handled_once(
    bot_api: BotApiPeer, config: Path
) -> None:
    # In webhook mode kefu answers Telegram's POST only once the update is stored; Telegram
    # keeps POSTing an update until it gets a 200.
    url = f"http://127.0.0.1:{free_port()}/kefu-hook"
    kefu = KefuProcess(bot_api, config, webhook_url=url).start()
    try:
        locker = Locker(database(kefu))  # storing the message waits for the lock...
        try:
            bot_api.send_text(BUYER, BUYER, "你好")
            wait_until(lambda: any(d["attempts"] for d in bot_api.webhook()["deliveries"]), 15,
                       "the POST of the message")
            time.sleep(0.5)
            assert [d["status"] for d in bot_api.webhook()["deliveries"]] == [0]  # unanswered
            kill9(kefu)  # ...and kefu dies before it could
        finally:
            locker.release()
        kefu = KefuProcess(bot_api, config, webhook_url=url).start()
        bot_api.wait_for_bot_message(BUYER, has("有什么可以帮你"), timeout=30)
        settled(kefu)
        assert sum("有什么可以帮你" in t for t in texts(bot_api, BUYER)) == 1
        [delivery] = bot_api.webhook()["deliveries"]
        assert delivery["status"] == 200 and delivery["attempts"] >= 2
    finally:
        kefu.stop()
