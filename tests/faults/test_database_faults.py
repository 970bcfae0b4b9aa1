"""The database is locked by another process, or the disk is full."""

from __future__ import annotations

import re

import pytest

from bot.db import BUSY_TIMEOUT_MS
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, STRANGER, has, wait_until
from tests.faults.conftest import Launch
from tests.faults.harness import (
    Locker,
    as_sent,
    database,
    fill_disk,
    inbox,
    limit_file_size,
    outbox,
    settled,
    texts,
)
from tests.faults.proxy import FaultProxy

GREETING = "有什么可以帮你"
NOT_STORED = "这条消息没能保存"
DELAYED = "消息收到了"
CLOCK = r"(明天 |\d+月\d+日 )?\d\d:\d\d"


def test_a_lock_held_by_another_process_for_a_few_seconds_is_waited_out(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    kefu = launch()
    locker = Locker(database(kefu))
    try:
        bot_api.send_text(BUYER, BUYER, "你好")
        bot_api.send_text(STRANGER, STRANGER, "卡密怎么用")
        with pytest.raises(TimeoutError):  # kefu waits while the lock is held
            bot_api.wait_for_bot_message(BUYER, timeout=3)
    finally:
        locker.release()
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)
    bot_api.wait_for_bot_message(STRANGER, has("兑换码"), timeout=15)
    settled(kefu)
    assert texts(bot_api, BUYER) == as_sent(outbox(kefu, BUYER))
    assert texts(bot_api, STRANGER) == as_sent(outbox(kefu, STRANGER))
    assert "UNWRITABLE" not in kefu.output()


def test_a_lock_outlasting_the_busy_timeout_gets_a_polite_reply_and_kefu_carries_on(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    kefu = launch()
    locker = Locker(database(kefu))
    try:
        bot_api.send_text(BUYER, BUYER, "你好")
        # The timer job may be queued first on the database thread: up to two busy timeouts.
        sorry = bot_api.wait_for_bot_message(BUYER, has(NOT_STORED),
                                             timeout=2 * BUSY_TIMEOUT_MS / 1000 + 10)
    finally:
        locker.release()
    assert re.search(f"请在 {CLOCK} 之后再发一次", sorry["text"])
    assert re.search(r"DATABASE UNWRITABLE \(database is locked; .+\): buyer 7001's message",
                     kefu.output())

    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)
    settled(kefu)
    assert sum(GREETING in t for t in texts(bot_api, BUYER)) == 1


def test_a_full_disk_gets_a_polite_reply_and_kefu_recovers_when_space_returns(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    kefu = launch()
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)
    settled(kefu)
    fill_disk(kefu)
    bot_api.send_text(BUYER, BUYER, "卡密怎么用")
    bot_api.wait_for_bot_message(BUYER, has(NOT_STORED), timeout=15)
    assert re.search(r"DATABASE UNWRITABLE \(.+\): buyer 7001's message was not stored",
                     kefu.output())

    limit_file_size(kefu, None)
    bot_api.send_text(BUYER, BUYER, "卡密怎么用")
    bot_api.wait_for_bot_message(BUYER, has("兑换码"), timeout=15)
    settled(kefu)
    said = texts(bot_api, BUYER)
    assert len(said) == 3
    assert GREETING in said[0] and NOT_STORED in said[1] and "兑换码" in said[2]


def test_a_turn_the_full_disk_refuses_waits_in_the_inbox_and_is_handled_when_space_returns(
    bot_api: BotApiPeer, launch: Launch
) -> None:
    kefu = launch()
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)
    settled(kefu)
    fill_disk(kefu, frames=4)  # room to store the message, not to handle it
    bot_api.send_text(BUYER, BUYER, "卡密怎么用")
    delayed = bot_api.wait_for_bot_message(BUYER, has(DELAYED), timeout=15)
    assert re.search(f"如果 {CLOCK} 前还没有回复", delayed["text"])
    assert [r["user_id"] for r in inbox(kefu)] == [BUYER]
    wait_until(lambda: kefu.output().count("DATABASE UNWRITABLE") >= 2, 15,
               "the sweep trying again")

    limit_file_size(kefu, None)
    bot_api.wait_for_bot_message(BUYER, has("兑换码"), timeout=15)
    settled(kefu)
    said = texts(bot_api, BUYER)
    assert sum(DELAYED in t for t in said) == 1  # said once, not at every retry
    assert sum("兑换码" in t for t in said) == 1


def test_a_message_sent_while_the_disk_is_full_is_not_sent_again(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    proxy.hold("sendMessage", chat_id=BUYER)
    kefu = launch(proxy)
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)  # Telegram has it
    fill_disk(kefu)  # so kefu cannot note that it was sent
    proxy.release()
    wait_until(lambda: "was sent but the database could not note it" in kefu.output(), 15,
               "the refused note")

    limit_file_size(kefu, None)
    settled(kefu)
    assert sum(GREETING in t for t in texts(bot_api, BUYER)) == 1
    assert [a.action for a in proxy.seen("sendMessage", BUYER)] == ["hold"]
