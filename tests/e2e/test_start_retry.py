"""`kefu run` started before the Bot API is up waits for it, then answers buyers."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.kefu_process import KefuProcess, free_port, write_config
from tests.e2e.peer import BotApiPeer

BUYER = 777001
WAITING = "cannot reach the Telegram Bot API"


def test_kefu_started_before_the_bot_api_waits_for_it_then_answers(tmp_path: Path) -> None:
    peer = BotApiPeer()
    peer.port = free_port()  # where the Bot API will be, once it is up
    kefu = KefuProcess(peer, write_config(tmp_path)).launch()
    try:
        time.sleep(2.5)  # refused at 0 s and 1 s; the next try is at 3 s
        assert kefu.proc is not None and kefu.proc.poll() is None, kefu.output()
        peer.start(port=peer.port)
        deadline = time.monotonic() + 20
        while not peer.calls("getUpdates"):
            assert time.monotonic() < deadline and kefu.proc.poll() is None, kefu.output()
            time.sleep(0.1)
        assert peer.ask(BUYER, BUYER, "你好", timeout=10)
        assert kefu.output().count(WAITING) == 1  # once a minute, not once a try
    finally:
        kefu.stop()
        peer.stop()


def test_kefu_waits_out_a_bot_api_that_refuses_for_a_while(
        bot_api: BotApiPeer, tmp_path: Path) -> None:
    bot_api.inject_fault("getMe", status=502, count=2)  # a proxy in front of it, restarting
    kefu = KefuProcess(bot_api, write_config(tmp_path)).start(timeout=20)
    try:
        assert bot_api.ask(BUYER, BUYER, "你好", timeout=10)
        assert WAITING in kefu.output()
    finally:
        kefu.stop()


def test_kefu_waiting_for_the_bot_api_stops_at_once_on_sigterm(tmp_path: Path) -> None:
    peer = BotApiPeer()
    peer.port = free_port()  # nothing will ever listen here
    kefu = KefuProcess(peer, write_config(tmp_path)).launch()
    assert kefu.proc is not None
    time.sleep(2.0)
    started = time.monotonic()
    kefu.proc.terminate()
    assert kefu.proc.wait(10) == 0, kefu.output()
    assert time.monotonic() - started < 5
