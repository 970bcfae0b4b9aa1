"""Fixtures for end-to-end tests against the loopback Bot API peer (see README.md here)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess, write_config
from tests.e2e.peer import BotApiPeer


@pytest.fixture(scope="session")
def _bot_api_process() -> Iterator[BotApiPeer]:
    """One emulator process per test session; fails loudly if node_modules is missing."""
    peer = BotApiPeer().start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def bot_api(_bot_api_process: BotApiPeer) -> BotApiPeer:
    """The running peer, emptied of messages, chats, members, faults and logs for this test."""
    _bot_api_process.reset()
    return _bot_api_process


@pytest.fixture
def shop(bot_api: BotApiPeer, tmp_path: Path) -> Iterator[KefuProcess]:
    """A staff supergroup with forum topics, one member agent, and a running kefu process."""
    bot_api.set_forum(STAFF_CHAT, True, title="售后客服组")
    bot_api.set_member(STAFF_CHAT, AGENT, "member")
    kefu = KefuProcess(bot_api, write_config(tmp_path)).start()
    yield kefu
    kefu.stop()
