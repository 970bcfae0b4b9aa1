"""The Bot API misbehaves (429, 500, 502, hangs) through a proxy between kefu and the emulator."""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from handlers.telegram_app import READ_TIMEOUT
from handlers.telegram_limits import MAX_RETRIES
from tests.e2e.kefu_process import STAFF_CHAT
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, OPENING, STRANGER, has, wait_until
from tests.faults.conftest import Launch
from tests.faults.harness import as_sent, inbox, outbox, rows, settled, texts
from tests.faults.proxy import FaultProxy

GREETING = "有什么可以帮你"


def say(peer: BotApiPeer, kefu_outbox: Callable[[], list[Any]], text: str) -> None:
    """The buyer writes; wait until kefu has handled it (its replies are queued)."""
    before = len(kefu_outbox())
    peer.send_text(BUYER, BUYER, text)
    wait_until(lambda: len(kefu_outbox()) > before, 15, f"the turn for {text!r}")


def test_429_500_and_502_are_waited_out_nothing_lost_or_doubled_order_kept(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    kefu = launch(proxy)
    # More 429s than the rate limiter retries: the sender backs off for retry_after itself.
    proxy.fail("sendMessage", 429, chat_id=BUYER, retry_after=1, count=MAX_RETRIES + 1)
    proxy.fail("sendMessage", 500, chat_id=BUYER)
    proxy.fail("sendMessage", 502, chat_id=BUYER)
    proxy.fail("createForumTopic", 502, chat_id=STAFF_CHAT)
    proxy.fail("sendMessage", 429, chat_id=STAFF_CHAT, retry_after=1)
    proxy.fail("sendMessage", 500, chat_id=STAFF_CHAT)
    for text in ["你好", "卡密怎么用", OPENING]:
        say(bot_api, lambda: outbox(kefu, BUYER), text)
    settled(kefu, timeout=30)

    assert proxy.faults == []  # every fault was met, and waited out
    queued = as_sent(outbox(kefu, BUYER))
    assert texts(bot_api, BUYER) == queued  # each once, in order
    assert sum("#T1001" in t and "订单号" in t for t in texts(bot_api, STAFF_CHAT)) == 1
    assert len(bot_api.topics(STAFF_CHAT)) == 1
    attempts = proxy.seen("sendMessage", BUYER)
    faults = MAX_RETRIES + 3
    assert [a.action for a in attempts[:faults]] == (
        ["status 429"] * (MAX_RETRIES + 1) + ["status 500", "status 502"])
    assert len(attempts) == len(queued) + faults
    assert all(b.at - a.at >= 1.0 for a, b in pairwise(attempts[:MAX_RETRIES + 2]))  # waited


def test_a_send_that_hangs_is_sent_again_once_and_other_buyers_are_not_held_up(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    kefu = launch(proxy)
    proxy.hang("sendMessage", chat_id=BUYER)  # lost on the way: Telegram never sees it
    bot_api.send_text(BUYER, BUYER, "你好")
    wait_until(lambda: proxy.seen("sendMessage", BUYER), 15, "the hung send")
    hung_at = time.monotonic()
    say(bot_api, lambda: outbox(kefu, BUYER), "卡密怎么用")  # queued behind the hung one
    bot_api.send_text(STRANGER, STRANGER, "卡密怎么用")
    bot_api.wait_for_bot_message(STRANGER, has("兑换码"), timeout=READ_TIMEOUT)
    assert time.monotonic() - hung_at < READ_TIMEOUT  # not stuck behind the hung chat
    assert texts(bot_api, BUYER) == []

    settled(kefu, timeout=READ_TIMEOUT + 20)
    queued = as_sent(outbox(kefu, BUYER))
    assert GREETING in queued[0] and "兑换码" in queued[1]
    assert texts(bot_api, BUYER) == queued
    assert [a.action for a in proxy.seen("sendMessage", BUYER)] == ["hang", "forward", "forward"]
    assert not inbox(kefu)


def test_a_send_whose_answer_is_lost_arrives_twice_and_nothing_after_it_is_doubled(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    # Telegram took the message but kefu never heard back: kefu cannot tell this from a lost
    # request (the Bot API has no idempotency key), so it sends again. At least once.
    kefu = launch(proxy)
    proxy.hang("sendMessage", chat_id=BUYER, deliver=True)
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)
    say(bot_api, lambda: outbox(kefu, BUYER), "卡密怎么用")

    settled(kefu, timeout=READ_TIMEOUT + 20)
    greeting, usage = [r["text"] for r in outbox(kefu, BUYER)]
    assert texts(bot_api, BUYER) == [greeting, greeting, usage]
    assert "it may arrive twice" in kefu.output()


def test_an_update_whose_answer_is_lost_comes_again_and_is_handled_once(
    bot_api: BotApiPeer, launch: Launch, proxy: FaultProxy
) -> None:
    kefu = launch(proxy)
    proxy.drop("getUpdates", deliver=True)  # the next poll: kefu never sees what it carried
    bot_api.send_text(BUYER, BUYER, "你好")
    bot_api.wait_for_bot_message(BUYER, has(GREETING), timeout=15)
    bot_api.send_text(BUYER, BUYER, "退款多久到")
    bot_api.wait_for_bot_message(BUYER, has("原路退回"), timeout=15)
    settled(kefu)

    [dropped] = [s for s in proxy.seen("getUpdates") if s.action == "deliver_drop"]
    assert "退款多久到" in dropped.answer.decode()  # it was delivered once before
    assert sum("原路退回" in t for t in texts(bot_api, BUYER)) == 1
    assert len(rows(kefu, "SELECT * FROM messages WHERE direction = 'in' AND text = ?",
                    ("退款多久到",))) == 1
