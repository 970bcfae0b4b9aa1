"""Fixtures for the order tests: a kefu with an order backend, orders in its table, a shop API."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml

from bot.config import load_config
from bot.kefu import Kefu, bootstrap
from intents.match import Matcher, load_matcher
from tests.fixtures_core import FakeClock

ORDERS_FAQ = Path(__file__).parent / "data" / "orders_faq.yaml"
BUYER = 42
ORDER = "KM202411221530123456"
CODE = "ABCD-EFGH-JKLM-9WXYZ"  # a full card code: must never reach a chat or a log


# Named fixtures, so test modules import the functions without shadowing the argument names.
@pytest.fixture(scope="session", name="orders_matcher")
def orders_matcher_fixture() -> Matcher:
    """The matcher over the order tests' FAQ, built once."""
    return load_matcher(ORDERS_FAQ)


@pytest.fixture(name="make_shop")
def make_shop_fixture(tmp_path: Path, clock: FakeClock, orders_matcher: Matcher
              ) -> Callable[..., Kefu]:
    """Build a kefu whose `orders:` section is given (default: the sqlite backend)."""
    def make(orders: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Kefu:
        cfg = {"database": str(tmp_path / "kefu.db"), "faq": str(ORDERS_FAQ),
               "match": {"answer": 0.5, "margin": 0.05, "clarify": 0.2},
               "agents": [{"id": 501, "name": "小王", "role": "senior"}],
               "orders": orders if orders is not None else {"backend": "sqlite"}}
        path = tmp_path / "kefu.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        return bootstrap(load_config(path, env=env or {}), clock, orders_matcher)
    return make


def add_order(k: Kefu, order_no: str = ORDER, **fields: Any) -> None:
    """Write one order as a shop would (naive local times), owned by BUYER by default."""
    row = {"order_no": order_no, "buyer": str(BUYER), "product": "王者荣耀 60 点券",
           "amount": 30.0, "paid_at": "2026-11-23 13:50:00", "status": "已发货",
           "delivered_at": "2026-11-23 13:51:00", "code_ref": CODE, "pay_channel": "支付宝",
           **fields}
    with k.store.transaction():
        k.store.orders.upsert([row], datetime.fromisoformat("2026-11-23T06:00:00+00:00"))


def write_csv(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    """Write a shop's CSV export as Excel saves it (UTF-8 with a BOM) unless told otherwise."""
    path.write_bytes(text.encode(encoding))
    return path


@dataclass
class Shop:
    """A fake shop API on loopback: canned answers per path prefix, every request recorded."""

    answers: dict[str, list[tuple[int, Any, float]]] = field(default_factory=dict)
    seen: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer(self, prefix: str, status: int, body: Any = None, delay: float = 0.0,
               times: int = 1) -> None:
        """Queue an answer for requests whose path starts with prefix (the last one repeats)."""
        self.answers.setdefault(prefix, []).extend([(status, body, delay)] * times)

    def requests(self, prefix: str = "/") -> list[dict[str, Any]]:
        """Requests received whose path starts with prefix."""
        return [r for r in self.seen if r["path"].startswith(prefix)]

    def next_answer(self, path: str) -> tuple[int, Any, float]:
        for prefix, queue in self.answers.items():
            if path.startswith(prefix) and queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        return 404, {"message": "not found"}, 0.0


def _handler(shop: Shop) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            shop.seen.append({"method": self.command, "path": self.path,
                              "headers": dict(self.headers), "json": _json(body),
                              "form": {k: v[0] for k, v in parse_qs(body.decode()).items()}})
            status, answer, delay = shop.next_answer(self.path)
            if delay:
                threading.Event().wait(delay)  # a slow shop: the client must give up first
            send_json(self, status, answer)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


def send_json(handler: BaseHTTPRequestHandler, status: int, answer: Any,
              headers: dict[str, str] | None = None) -> None:
    """Answer a fake shop request with JSON (or raw bytes), ignoring a client that left."""
    raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client timed out and left


def _json(body: bytes) -> Any:
    """A JSON body as sent, None for a form or nothing."""
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


@contextmanager
def serve_shop() -> Iterator[Shop]:
    """A real HTTP server on 127.0.0.1 in a thread, stopped on leaving."""
    state = Shop()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(name="shop")
def shop_fixture() -> Iterator[Shop]:
    """A fake shop API on loopback for one test."""
    with serve_shop() as state:
        yield state
