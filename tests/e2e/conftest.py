"""Fixtures for end-to-end tests against the loopback Bot API peer (see README.md here)."""

from collections.abc import Iterator

import pytest

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
