"""Telegram's flood limits: a staff group out of its messages a minute holds up no buyer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess, write_config
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import has

TICKETS = 10  # more tickets than chats the sender serves at once
ORDER = "KM2024112215301234{:02d}"


@pytest.fixture
def throttled_shop(bot_api: BotApiPeer, tmp_path: Path) -> Iterator[KefuProcess]:
    """Forum staff group allowed 2 messages a minute (Telegram's is 20): it runs out at once."""
    bot_api.set_forum(STAFF_CHAT, True, title="售后客服组")
    bot_api.set_member(STAFF_CHAT, AGENT, "member")
    limits = "telegram: {messages_per_second: 30, group_messages_per_minute: 2}\n"
    kefu = KefuProcess(bot_api, write_config(tmp_path, extra=limits)).start()
    yield kefu
    kefu.stop()


def test_buyers_are_answered_while_the_staff_group_waits_for_its_limit(
    bot_api: BotApiPeer, throttled_shop: KefuProcess
) -> None:
    buyers = [7100 + n for n in range(TICKETS)]
    for n, buyer in enumerate(buyers):
        bot_api.send_text(buyer, buyer, f"付了钱卡密没到 订单号:{ORDER.format(n)} 帮我补发")
    for buyer in buyers:
        bot_api.wait_for_bot_message(buyer, has("已受理"), timeout=20)
    started = time.monotonic()
    bot_api.send_text(7999, 7999, "卡密怎么用")
    bot_api.wait_for_bot_message(7999, has("兑换码"), timeout=20)
    assert time.monotonic() - started < 10
    posted = bot_api.call_counts().get("createForumTopic", 0) + len(
        bot_api.bot_messages(STAFF_CHAT))
    assert posted < TICKETS  # the limit was real: most tickets are still waiting for staff
