"""Fake acg-faka and Dujiao-Next public APIs on loopback, answering in their JSON shapes.

Shapes follow the systems' sources: acg-faka's `POST /user/api/index/query`
(app/Controller/User/Api/Index.php: {"code": 200, "data": {"list": [...], "total": n}},
errors and its 30-per-10-minutes throttle as {"code": 0, "msg": ...} with HTTP 200) and
Dujiao-Next's `GET /api/v1/guest/orders/by-order-no/:order_no` ({"status_code": 0,
"msg": "success", "data": {...}}; unknown order or wrong email/password: status_code 404).
Both can also answer slowly (`delay`) or with HTTP 429 and a Retry-After (`throttle`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fixtures_orders import send_json

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class FakeApi:
    """What every fake shares: recorded requests, a delay, a queue of 429 answers."""

    seen: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    retry_after: list[str | None] = field(default_factory=list)  # one 429 per entry
    url: str = ""

    def throttle(self, times: int = 1, retry_after: str | None = "1") -> None:
        """Answer the next `times` requests with HTTP 429 (Retry-After, unless None)."""
        self.retry_after.extend([retry_after] * times)

    def answer(self, method: str, path: str, query: dict[str, str],
               form: dict[str, str]) -> Answer:
        raise NotImplementedError

    def serve(self, method: str, path: str, query: dict[str, str],
              form: dict[str, str]) -> Answer:
        """Record the request, then throttle, or answer."""
        self.seen.append({"method": method, "path": path, "query": query, "form": form})
        if self.retry_after:
            wait = self.retry_after.pop(0)
            return 429, {"message": "too many requests"}, {"Retry-After": wait} if wait else {}
        return self.answer(method, path, query, form)


@dataclass
class AcgFaka(FakeApi):
    """acg-faka's order lookup over `acg_order` rows (trade_no -> row)."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    limit: int = 30  # lookups per window per IP, as acg-faka's Throttle::tooMany

    def add(self, trade_no: str, status: int = 1, delivery_status: int = 1,
            secret: str = "", password: str = "", contact: str = "buyer@qq.com",
            amount: float = 30.0, name: str = "王者荣耀 60 点券") -> None:
        """Store one order as acg-faka's tables hold it."""
        self.orders[trade_no] = {
            "id": len(self.orders) + 1, "trade_no": trade_no, "amount": amount,
            "status": status, "delivery_status": delivery_status, "secret": secret,
            "password": password, "contact": contact, "card_num": 1, "user_id": 0,
            "create_time": "2026-11-23 13:49:40",
            "pay_time": "2026-11-23 13:50:00" if status == 1 else None,
            "pay": {"id": 1, "name": "支付宝", "icon": "/assets/alipay.png"},
            "commodity": {"id": 7, "name": name, "cover": "", "password_status": 0}}

    def answer(self, method: str, path: str, query: dict[str, str],
               form: dict[str, str]) -> Answer:
        if (method, path) != ("POST", "/user/api/index/query"):
            return 404, b"<html>404 Not Found</html>", {}
        if sum(1 for r in self.seen if r["path"] == path) > self.limit:
            return 200, {"code": 0, "msg": "请求过于频繁，请稍后再试"}, {}
        keywords = form.get("keywords", "").strip()
        if keywords == "-":
            return 200, {"code": 0, "msg": "无数据"}, {}
        by_number = keywords.isdigit() and len(keywords) == 18
        rows = [dict(o) for o in self.orders.values()
                if (o["trade_no"] if by_number else o["contact"]) == keywords]
        for item in rows:  # what the controller hides, as it hides it
            if item["status"] != 1:
                item.pop("secret")
            if item["password"]:
                item["password"] = True
                item.pop("secret", None)
        return 200, {"code": 200, "data": {"list": rows, "total": len(rows)}}, {}


@dataclass
class DujiaoNext(FakeApi):
    """Dujiao-Next's guest lookup over orders (order_no -> order, with its password)."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)

    def add(self, order_no: str, status: str = "delivered", email: str = "buyer@qq.com",
            password: str = "pw-1234", payload: str = "", amount: str = "30.00") -> None:
        """Store one guest order and its lookup password."""
        delivered = status in ("delivered", "completed", "partially_delivered")
        self.passwords[order_no] = password
        self.orders[order_no] = {
            "id": len(self.orders) + 1, "order_no": order_no, "user_id": 0,
            "guest_email": email, "status": status, "currency": "CNY",
            "total_amount": amount, "paid_at": "2026-11-23T05:50:00Z",
            "canceled_at": "2026-11-23T06:20:00Z" if status == "canceled" else None,
            "items": [{"id": 1, "title": {"zh-CN": "Netflix 会员", "en-US": "Netflix"},
                       "quantity": 1, "total_price": amount, "fulfillment_type": "auto"}],
            "fulfillment": ({"type": "auto", "status": "delivered", "payload": payload,
                             "delivered_at": "2026-11-23T05:51:00Z"} if delivered else None)}

    def answer(self, method: str, path: str, query: dict[str, str],
               form: dict[str, str]) -> Answer:
        prefix = "/api/v1/guest/orders/by-order-no/"
        if method != "GET" or not path.startswith(prefix):
            return 404, {"message": "not found"}, {}
        email, password = query.get("email", "").strip(), query.get("order_password", "")
        if not email:
            return 200, self._error(400, "error.guest_email_required"), {}
        if not password.strip():
            return 200, self._error(400, "error.guest_password_required"), {}
        order_no = unquote(path[len(prefix):])
        order = self.orders.get(order_no)
        if order is None or order["guest_email"] != email or \
                self.passwords[order_no] != password.strip():
            return 200, self._error(404, "订单不存在"), {}
        return 200, {"status_code": 0, "msg": "success", "data": order}, {}

    @staticmethod
    def _error(code: int, msg: str) -> dict[str, Any]:
        return {"status_code": code, "msg": msg, "data": {"request_id": "01HRTEST"}}


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            form = {k: v[0] for k, v in parse_qs(body).items()}
            status, answer, headers = api.serve(self.command, parts.path, query, form)
            if api.delay:
                threading.Event().wait(api.delay)  # a slow shop: the client must give up first
            send_json(self, status, answer, headers)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    """Run the fake on 127.0.0.1 in a thread until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
