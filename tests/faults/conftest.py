"""Fixtures for fault tests: the e2e emulator, a kefu process factory, the fault proxy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import _bot_api_process, bot_api  # noqa: F401 - fixtures reused
from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess, write_config
from tests.e2e.peer import BotApiPeer
from tests.faults.harness import ViaProxy
from tests.faults.proxy import FaultProxy

Launch = Callable[..., KefuProcess]


@pytest.fixture
def config(bot_api: BotApiPeer, tmp_path: Path) -> Path:  # noqa: F811 - the fixture above
    """The e2e shop (forum staff group, one agent) with timers and the sweep every second."""
    bot_api.set_forum(STAFF_CHAT, True, title="售后客服组")
    bot_api.set_member(STAFF_CHAT, AGENT, "member")
    path = write_config(tmp_path)
    with path.open("a", encoding="utf-8") as file:
        file.write("sla: {check_seconds: 1}\n")
    return path


@pytest.fixture
def proxy(bot_api: BotApiPeer) -> Iterator[FaultProxy]:  # noqa: F811 - the fixture above
    """A fault-injecting proxy in front of the emulator."""
    running = FaultProxy(bot_api.port or 0).start()
    yield running
    running.stop()


@pytest.fixture
def launch(bot_api: BotApiPeer, config: Path) -> Iterator[Launch]:  # noqa: F811
    """Start kefu on the shop's database (again after a kill: same file); all stop at the end.

    `launch(proxy)` sends kefu's Bot API requests through a FaultProxy.
    """
    started: list[KefuProcess] = []

    def start(proxy: FaultProxy | None = None) -> KefuProcess:
        peer = ViaProxy(bot_api, proxy) if proxy else bot_api
        kefu = KefuProcess(peer, config)  # type: ignore[arg-type]
        started.append(kefu)
        return kefu.start()

    yield start
    for kefu in started:
        kefu.stop()
