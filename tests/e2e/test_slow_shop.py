"""A shop that takes 4 s to answer holds only the buyer who asked.

Lookups are made by the adapter with no transaction open and off the DB thread
(bot/door.py), so another buyer's FAQ answer is not delayed by more than
SLACK, on Telegram (the Bot API emulator) and in the console (two processes
sharing the SQLite file). Each test measures the same question with the shop
idle first, in the same run: the machine is noisy, the difference is not.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from bot import door
from bot.config import load_config
from bot.events import BuyerSaid
from bot.kefu import bootstrap
from bot.orders.calls import perform
from tests.e2e.kefu_process import REPO, STAFF_CHAT, KefuProcess, write_config
from tests.e2e.peer import BotApiPeer
from tests.fixtures_orders import ORDERS_FAQ, Shop, serve_shop

SLOW = 4.0  # seconds the shop takes to answer a lookup
SLACK = 0.2  # the most another buyer's answer may be delayed by it
ORDER = "KM202412041400009999"
OTHER = 7003
ANSWER = {"code": 0, "data": {"order_id": ORDER, "state": 5, "tg_id": 7001, "price": "30.00"}}
HTTP = {"lookup_url": "{url}/orders/{{order_no}}", "timeout_seconds": 5, "retries": 0,
        "fields": {"order_no": "data.order_id", "status": "data.state", "buyer": "data.tg_id",
                   "amount": "data.price"},
        "statuses": {"5": "充值失败"}}


@pytest.fixture
def slow_shop() -> Iterator[Shop]:
    """The shop's API on loopback, answering every lookup after SLOW seconds."""
    with serve_shop() as shop:
        shop.answer("/orders/", 200, ANSWER, delay=SLOW)
        yield shop


def orders_yaml(shop: Shop) -> str:
    """The `orders:` section pointing kefu at the slow shop."""
    http = {**HTTP, "lookup_url": HTTP["lookup_url"].format(url=shop.url)}
    return yaml.safe_dump({"orders": {"backend": "http", "http": http}}, allow_unicode=True)


def wait_for_lookup(shop: Shop, timeout: float = 15.0) -> None:
    """Until the shop has the lookup request (and is taking SLOW seconds over it)."""
    deadline = time.monotonic() + timeout
    while not shop.requests("/orders/"):
        assert time.monotonic() < deadline, "kefu never asked the shop"
        time.sleep(0.02)


def timed(ask: Callable[[], object], times: int = 1) -> float:
    """The median wall-clock seconds `ask` takes."""
    spent = []
    for _ in range(times):
        started = time.monotonic()
        ask()
        spent.append(time.monotonic() - started)
    return statistics.median(spent)


def test_a_slow_shop_does_not_delay_another_buyer_on_telegram(
        bot_api: BotApiPeer, slow_shop: Shop, tmp_path: Path) -> None:
    bot_api.set_forum(STAFF_CHAT, True, title="售后客服组")
    kefu = KefuProcess(bot_api, write_config(tmp_path, ORDERS_FAQ, orders_yaml(slow_shop)))
    kefu.start()
    try:
        def faq() -> object:
            return bot_api.ask(OTHER, OTHER, "你好", timeout=10)

        idle = timed(faq, times=3)
        started = time.monotonic()
        bot_api.send_text(7001, 7001, f"充值失败了 {ORDER}")
        wait_for_lookup(slow_shop)
        busy = timed(faq, times=3)  # the lookup takes 4 s: three questions fit in it
        assert busy < idle + SLACK, (idle, busy)
        # The slow buyer hears the lookup is under way after a second, then the answer.
        first = bot_api.wait_for_bot_message(7001, timeout=15)
        assert "正在查询订单" in first["text"], first["text"]
        bot_api.wait_for_bot_message(7001, after_message_id=first["message_id"], timeout=15)
        assert time.monotonic() - started >= SLOW
    finally:
        kefu.stop()


def test_a_slow_shop_does_not_delay_another_buyer_in_the_console(
        slow_shop: Shop, tmp_path: Path) -> None:
    config = write_config(tmp_path, ORDERS_FAQ, orders_yaml(slow_shop))
    k = bootstrap(load_config(config))  # a second console on the same file, in this process

    def faq() -> object:
        return door.receive(k, BuyerSaid(OTHER, "你好"), perform)

    idle = timed(faq, times=3)
    console = subprocess.Popen(
        [sys.executable, "-m", "tools.cli", "--config", str(config), "console", "--user", "7001"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO)
    assert console.stdin is not None
    console.stdin.write(f"充值失败了 {ORDER}\n".encode())
    console.stdin.close()
    try:
        wait_for_lookup(slow_shop)
        busy = timed(faq, times=3)
        assert console.stdout is not None
        output = console.stdout.read()
        console.wait(30)
    finally:
        console.kill()
    assert busy < idle + SLACK, (idle, busy)
    assert "充值" in output.decode(), output.decode()
