"""Orders from the shop's REST API (standard library only).

The adapter makes these calls off the database thread, with no transaction
open (bot/orders/calls.py); only the buyer who asked waits. Every call is
bounded by MAX_SECONDS (5 s) in total, retries, backoff, connecting and a shop
that drips its answer included: a watchdog cuts the socket at the deadline.
Each attempt gets min(timeout_seconds, time left); connection errors,
timeouts, 429 and 5xx are retried with backoff (0.2 s, 0.4 s, ...) while time
is left; then BackendError, and the caller hands the buyer to a person. Refund
and resend requests carry an Idempotency-Key, so a retried request cannot act
twice on a shop that honours it: kefu-refund-ORDER (an order is refunded once)
and kefu-resend-ORDER-T1001 (one resend per ticket; a later resend of the same
order, on another ticket, is a new request and not swallowed as a repeat).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any
from urllib.parse import quote

from bot.orders import ActionResult, BackendError, Order
from bot.orders.parse import order_from
from bot.orders.settings import MAX_SECONDS, ORDER_FIELDS, HttpSettings

logger = logging.getLogger(__name__)
BACKOFF = 0.2  # seconds before the first retry; doubles each time
MAX_BODY = 256 * 1024  # an order is a few hundred bytes; more is a misconfigured URL


class _Retryable(Exception):
    """This attempt failed in a way another attempt may not."""


@dataclass(frozen=True)
class HttpOrders:
    """The shop's API: GET lookup_url, POST refund_url / resend_url."""

    settings: HttpSettings
    tz: tzinfo
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @property
    def remote(self) -> bool:
        """Calls cross the network: the adapter makes them, never inside a transaction."""
        return True

    @property
    def can_refund(self) -> bool:
        """A refund endpoint is configured."""
        return bool(self.settings.refund_url)

    @property
    def can_resend(self) -> bool:
        """A resend endpoint is configured."""
        return bool(self.settings.resend_url)

    @property
    def records_telegram(self) -> bool:
        """The `buyer` field mapping names Telegram ids (as documented for this backend)."""
        return True

    def lookup(self, order_no: str) -> Order | None:
        """GET the order; 404 or a body without a status means the shop has no such order."""
        status, data = self._call("GET", self.settings.lookup_url, order_no)
        if status == 404:
            return None
        if status >= 400:
            raise BackendError(f"lookup: HTTP {status}")
        row = {name: _get(data, path) for name, path in self._fields().items()}
        if row.get("status") in (None, ""):
            return None  # e.g. {"code": 1, "msg": "订单不存在", "data": null}
        row["order_no"] = row.get("order_no") or order_no
        try:
            return order_from(row, self.tz, dict(self.settings.statuses))
        except ValueError as exc:
            raise BackendError(f"lookup: unreadable order: {exc}") from None

    def request_refund(self, order: Order, reason: str) -> ActionResult:
        """POST a refund request for the order."""
        body = {"order_no": order.order_no, "amount": order.amount, "reason": reason}
        return self._act("refund", self.settings.refund_url, order, body)

    def resend(self, order: Order, ticket: str = "") -> ActionResult:
        """POST a resend request: the shop delivers the code again through its own channels."""
        return self._act("resend", self.settings.resend_url, order, {"order_no": order.order_no},
                         ticket)

    def _act(self, kind: str, url: str, order: Order, body: dict[str, Any],
             ticket: str = "") -> ActionResult:
        if not url:
            raise BackendError(f"no {kind} endpoint configured")
        key = f"kefu-{kind}-{order.order_no}" + (f"-{ticket}" if ticket else "")
        status, data = self._call("POST", url, order.order_no, body, key=key)
        reference = str(_get(data, self._fields()["reference"]) or "")
        if 200 <= status < 300:
            return ActionResult(True, reference)
        message = _get(data, "message") or _get(data, "msg") or ""
        return ActionResult(False, reference, f"HTTP {status} {str(message)[:200]}".strip())

    def _fields(self) -> dict[str, str]:
        return {**{f: f for f in ORDER_FIELDS}, **dict(self.settings.fields)}

    def _call(self, method: str, template: str, order_no: str, body: Any = None,
              key: str | None = None) -> tuple[int, Any]:
        url = template.replace("{order_no}", quote(order_no, safe=""))
        request = urllib.request.Request(
            url, method=method, headers=self._headers(key),
            data=json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        deadline = self.clock() + MAX_SECONDS
        attempts, reason = 1 + self.settings.retries, "no time left"
        for attempt in range(attempts):
            left = deadline - self.clock()
            if left < 0.05:
                break
            try:
                return self._once(request, min(self.settings.timeout_seconds, left), deadline)
            except _Retryable as exc:
                reason = str(exc)
            pause = BACKOFF * 2 ** attempt
            if attempt + 1 >= attempts or deadline - self.clock() < pause + 0.05:
                break  # no retry left, or no time for one after the pause
            self.sleep(pause)
        logger.warning("order backend %s %s failed: %s", method, url, reason)
        raise BackendError(f"{method.lower()}: {reason}")

    def _once(self, request: urllib.request.Request, timeout: float,
              deadline: float) -> tuple[int, Any]:
        # A socket timeout bounds each read, not the whole answer: a shop that drips its
        # headers a byte at a time would hold the call for ever. The watchdog shuts the
        # socket at the deadline, which ends any read in progress.
        watch = _Watchdog()
        timer = threading.Timer(max(deadline - self.clock(), 0.0), watch.cut)
        timer.daemon = True
        timer.start()
        try:
            with watch.opener().open(request, timeout=timeout) as resp:
                return resp.status, _json(self._read(resp, deadline))
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise _Retryable(f"HTTP {exc.code}") from None
            return exc.code, _json(exc.read(MAX_BODY), strict=False)
        except TimeoutError:
            raise _Retryable(f"timed out after {timeout:.1f} s") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if watch.fired:
                raise BackendError(f"no complete answer within {MAX_SECONDS:g} s") from None
            raise _Retryable(str(getattr(exc, "reason", exc))[:200]) from None
        finally:
            timer.cancel()

    def _read(self, resp: http.client.HTTPResponse, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while chunk := resp.read(16_384):
            chunks.append(chunk)
            if sum(map(len, chunks)) > MAX_BODY:
                raise BackendError("response too large")
            if self.clock() > deadline:
                raise _Retryable("response too slow")
        return b"".join(chunks)

    def _headers(self, key: str | None) -> dict[str, str]:
        token = ""
        if self.settings.token_env:
            token = self.env.get(self.settings.token_env, "")
            if not token:
                raise BackendError(f"environment variable {self.settings.token_env} is not set")
        headers = {"Accept": "application/json", "User-Agent": "kefu"}
        headers.update({name: value.replace("{token}", token)
                        for name, value in self.settings.headers})
        if key:
            headers.update({"Content-Type": "application/json", "Idempotency-Key": key})
        return headers


class _Watchdog:
    """Remembers the connections one attempt opens, to cut them at the deadline."""

    def __init__(self) -> None:
        self.connections: list[http.client.HTTPConnection] = []
        self.fired = False

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib as usual (proxies, redirects), with connections this watchdog can cut."""
        return urllib.request.build_opener(_WatchedHttp(self), _WatchedHttps(self))

    def connected(self, conn: http.client.HTTPConnection) -> None:
        """Note a connection; cut it at once if the deadline passed while it connected."""
        self.connections.append(conn)
        if self.fired:
            self.cut()

    def cut(self) -> None:
        """Shut every socket down: a read blocked on it returns at once."""
        self.fired = True
        for conn in self.connections:
            if conn.sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    conn.sock.shutdown(socket.SHUT_RDWR)


class _Noted:
    """A connection that tells its watchdog once it is open."""

    def __init__(self, *args: Any, watch: _Watchdog, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.watch = watch

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.watch.connected(self)  # type: ignore[arg-type]


class _Connection(_Noted, http.client.HTTPConnection):
    pass


class _TlsConnection(_Noted, http.client.HTTPSConnection):
    pass


class _WatchedHttp(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watchdog) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_Connection, watch=self.watch), req)


class _WatchedHttps(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watchdog) -> None:
        super().__init__()
        self.watch = watch

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_TlsConnection, watch=self.watch), req,
                            context=self._context)  # type: ignore[attr-defined]


def _json(raw: bytes, strict: bool = True) -> Any:
    """The parsed body; an error page that is not JSON only matters on success."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        if strict:
            raise BackendError("response is not JSON") from None
        return None


def _get(data: Any, path: str) -> Any:
    """data["a"]["b"][0] for the dotted path "a.b.0"; None where anything is missing."""
    for part in path.split("."):
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
