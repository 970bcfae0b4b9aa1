"""Sending one request to a shop's API within a total deadline (standard library only).

Every call is bounded by `seconds` (5 s) in total, retries, backoff, connecting and a shop
that drips its answer included: a watchdog cuts the socket at the deadline. Each attempt
gets min(timeout, time left); connection errors, timeouts and 5xx are retried with backoff
(0.2 s, 0.4 s, ...) while time is left. HTTP 429 is throttling: kefu waits what Retry-After
asks (1 s when it says nothing) only if that fits in the time left and a retry remains,
else BackendError("限流 ...") at once. It never hammers a shop that asked it to wait.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import logging
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bot.orders import BackendError
from bot.orders.http_answer import THROTTLED
from bot.orders.http_request import Prepared, redact

logger = logging.getLogger(__name__)
BACKOFF = 0.2  # seconds before the first retry; doubles each time
THROTTLE_WAIT = 1.0  # seconds to wait after a 429 that names no Retry-After
MAX_BODY = 256 * 1024  # an order is a few hundred bytes; more is a misconfigured URL


class _Retryable(Exception):
    """This attempt failed in a way another attempt may not."""


class _Throttled(Exception):
    """HTTP 429: wait `wait` seconds (None: the shop did not say) before asking again."""

    def __init__(self, wait: float | None) -> None:
        super().__init__(wait)
        self.wait = wait


@dataclass(frozen=True)
class Transport:
    """How one call is sent: per-attempt timeout, retries, total seconds, clock and sleep."""

    timeout: float
    retries: int
    seconds: float
    clock: Callable[[], float]
    sleep: Callable[[float], None]

    def send(self, prepared: Prepared, headers: dict[str, str]) -> tuple[int, bytes]:
        """The shop's HTTP status and body; BackendError when no answer came in time."""
        request = urllib.request.Request(prepared.url, data=prepared.body,
                                         method=prepared.method, headers=headers)
        deadline = self.clock() + self.seconds
        attempts, reason = 1 + self.retries, "no time left"
        for attempt in range(attempts):
            left = deadline - self.clock()
            if left < 0.05:
                break
            try:
                return self._once(request, min(self.timeout, left), deadline)
            except _Retryable as exc:
                reason, pause = str(exc), BACKOFF * 2 ** attempt
            except _Throttled as exc:
                pause = THROTTLE_WAIT if exc.wait is None else exc.wait
                reason = f"{THROTTLED}: HTTP 429" + (
                    f", Retry-After {exc.wait:g} s" if exc.wait is not None else "")
                if attempt + 1 >= attempts or deadline - self.clock() < pause + 0.05:
                    logger.warning("order backend %s %s throttled: %s", prepared.method,
                                   redact(prepared.url), reason)
                    raise BackendError(reason) from None
            if attempt + 1 >= attempts or deadline - self.clock() < pause + 0.05:
                break  # no retry left, or no time for one after the pause
            self.sleep(pause)
        logger.warning("order backend %s %s failed: %s", prepared.method, redact(prepared.url),
                       reason)
        raise BackendError(f"{prepared.method.lower()}: {reason}")

    def _once(self, request: urllib.request.Request, timeout: float,
              deadline: float) -> tuple[int, bytes]:
        # A socket timeout bounds each read, not the whole answer: a shop that drips its
        # headers a byte at a time would hold the call for ever. The watchdog shuts the
        # socket at the deadline, which ends any read in progress.
        watch = _Watchdog()
        timer = threading.Timer(max(deadline - self.clock(), 0.0), watch.cut)
        timer.daemon = True
        timer.start()
        try:
            with watch.opener().open(request, timeout=timeout) as resp:
                return resp.status, self._read(resp, deadline)
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                raise _Throttled(retry_after(exc.headers.get("Retry-After"))) from None
            if exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}") from None
            return exc.code, exc.read(MAX_BODY)
        except TimeoutError:
            raise _Retryable(f"timed out after {timeout:.1f} s") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if watch.fired:
                raise BackendError(f"no complete answer within {self.seconds:g} s") from None
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


def retry_after(header: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date); None if unreadable."""
    text = (header or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


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
