"""A fault-injecting HTTP proxy on loopback, between kefu and the Bot API emulator.

It forwards every request unchanged unless a fault matches (Bot API method, and optionally
the request's chat_id). A fault answers an HTTP error itself (429 with retry_after, 500, 502
as nginx sends it), or hangs until the client gives up: without forwarding (the request was
lost) or after forwarding (Telegram took the message, its answer was lost); drops the
connection at once, forwarded or not; or holds the answer of a forwarded request until the
test releases it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import select
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

HANG_LIMIT = 60.0  # a hung request is dropped after this even if the client still waits
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "proxy-connection"}
NGINX_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
             b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
             b"</body>\r\n</html>\r\n")


@dataclass
class Fault:
    """What to do to the next `count` matching requests (-1: all of them)."""

    method: str  # Bot API method, any case
    action: str  # status, hang, deliver_hang, drop, deliver_drop (deliver_: forwarded), hold
    status: int = 0
    retry_after: int | None = None
    chat_id: int | None = None
    count: int = 1

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Same method, and the same chat when the fault names one."""
        return self.method.lower() == method.lower() and (
            self.chat_id is None or self.chat_id == chat_id)


@dataclass(frozen=True)
class Seen:
    """One request that reached the proxy, and what the proxy did with it."""

    method: str
    chat_id: int | None
    action: str  # "forward", "status 429", "hang", "deliver_drop", ...
    at: float  # time.monotonic()
    answer: bytes = b""  # what Telegram answered a forwarded request (deliver_: kefu never got it)


class FaultProxy:
    """`FaultProxy(emulator_port).start()`; kefu uses `proxy.base_url` as its Bot API."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.faults: list[Fault] = []
        self.log: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.released = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> FaultProxy:
        """Listen on a free loopback port, serving in a background thread."""
        server = _QuietServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.block_on_close = False  # hung handlers must not stall the test's teardown
        server.proxy = self  # type: ignore[attr-defined]
        self.server = server
        threading.Thread(target=server.serve_forever, daemon=True, name="fault-proxy").start()
        return self

    def stop(self) -> None:
        """Stop serving and release every hung request."""
        self.stopping.set()
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base_url(self) -> str:
        """The Bot API base URL in PTB's form, through the proxy."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    # ---- faults ----------------------------------------------------------------------------

    def fail(self, method: str, status: int, *, chat_id: int | None = None, count: int = 1,
             retry_after: int | None = None) -> None:
        """Answer the next `count` matching calls with this HTTP status."""
        self._add(Fault(method, "status", status, retry_after, chat_id, count))

    def hang(self, method: str, *, chat_id: int | None = None, count: int = 1,
             deliver: bool = False) -> None:
        """Hold the next matching calls unanswered; `deliver` forwards them first."""
        self._add(Fault(method, "deliver_hang" if deliver else "hang", chat_id=chat_id,
                        count=count))

    def drop(self, method: str, *, chat_id: int | None = None, count: int = 1,
             deliver: bool = False) -> None:
        """Close the next matching calls' connections unanswered; `deliver` forwards first."""
        self._add(Fault(method, "deliver_drop" if deliver else "drop", chat_id=chat_id,
                        count=count))

    def hold(self, method: str, *, chat_id: int | None = None, count: int = 1) -> None:
        """Forward the next matching calls but keep their answers until `release()`."""
        self.released.clear()
        self._add(Fault(method, "hold", chat_id=chat_id, count=count))

    def release(self) -> None:
        """Let held answers go."""
        self.released.set()

    def clear(self) -> None:
        """Drop every fault not used yet."""
        with self.lock:
            self.faults.clear()

    def seen(self, method: str | None = None, chat_id: int | None = None) -> list[Seen]:
        """Requests so far, optionally of one method and chat."""
        with self.lock:
            return [s for s in self.log if (method is None or s.method == method)
                    and (chat_id is None or s.chat_id == chat_id)]

    def _add(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The first matching fault, used once; faults apply in the order they were added."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, chat_id):
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def record(self, method: str, chat_id: int | None, action: str, answer: bytes = b"") -> None:
        """Log one request."""
        with self.lock:
            self.log.append(Seen(method, chat_id, action, time.monotonic(), answer))


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (kill -9) is expected here, not an error to print."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def log_message(self, *_args: Any) -> None:
        """Quiet: the test reads `proxy.seen()` instead."""

    @property
    def proxy(self) -> FaultProxy:
        return self.server.proxy  # type: ignore[attr-defined]

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        method = api_method(self.path)
        chat = chat_id_of(self.headers.get("Content-Type", ""), body)
        fault = self.proxy.take(method, chat)
        if fault is None or fault.action == "hold":
            if fault is not None:
                self.proxy.record(method, chat, "hold")
            try:
                answer = self._forward(body)
                if fault is not None:
                    self.proxy.released.wait(HANG_LIMIT)
                self._answer(*answer)
                if fault is None:  # logged once kefu has the answer
                    self.proxy.record(method, chat, "forward", answer[2])
            except (OSError, http.client.HTTPException) as exc:  # either side went away
                self.proxy.record(method, chat, f"lost: {exc!r}")
                self.close_connection = True
        elif fault.action == "status":
            self.proxy.record(method, chat, f"status {fault.status}")
            self._answer(*error_response(fault))
        else:
            lost = b""
            if fault.action.startswith("deliver_"):
                with contextlib.suppress(OSError, http.client.HTTPException):
                    lost = self._forward(body)[2]  # Telegram takes it; kefu never hears so
            self.proxy.record(method, chat, fault.action, lost)
            if fault.action.endswith("hang"):
                self._hang()
            self.close_connection = True

    def _forward(self, body: bytes) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy.upstream_port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body, headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, response.getheader("Content-Type") or "", data
        finally:
            conn.close()

    def _answer(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _hang(self) -> None:
        """Answer nothing until the client closes the connection (its timeout)."""
        deadline = time.monotonic() + HANG_LIMIT
        while time.monotonic() < deadline and not self.proxy.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.1)
            if readable:  # end of file: the client gave up
                break


def api_method(path: str) -> str:
    """`sendMessage` from `/bot<token>/sendMessage`; `file` for downloads."""
    if path.startswith("/file/"):
        return "file"
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def chat_id_of(content_type: str, body: bytes) -> int | None:
    """The chat_id parameter of a Bot API request (form, multipart or JSON)."""
    text = body.decode("utf-8", "replace")
    value: Any = None
    if "json" in content_type:
        value = json.loads(text or "{}").get("chat_id")
    elif "multipart" in content_type:
        found = re.search(r'name="chat_id"\r\n\r\n(-?\d+)', text)
        value = found[1] if found else None
    else:
        value = (parse_qs(text).get("chat_id") or [None])[0]
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_response(fault: Fault) -> tuple[int, str, bytes]:
    """The answer Telegram (or nginx in front of it) gives for this status."""
    if fault.status == 502:
        return 502, "text/html", NGINX_502
    body: dict[str, Any] = {"ok": False, "error_code": fault.status,
                            "description": "Internal Server Error"}
    if fault.status == 429:
        retry = fault.retry_after or 1
        body.update(description=f"Too Many Requests: retry after {retry}",
                    parameters={"retry_after": retry})
    return fault.status, "application/json", json.dumps(body).encode()
