"""Connections to shop databases: one small pool per URL for the life of the process, and a
total deadline on every query.

kefu builds its order backend per use (bot/orders/backend.py); a pool must outlive that,
or every lookup would pay a new TCP and login handshake. `ShopDatabases` holds the pools;
one is made at bootstrap and carried by `Kefu` (copies of a Kefu share it), so nothing
is a module-level global and a test's kefu never sees another test's connections.

Every session is opened read-only (MySQL `SET SESSION TRANSACTION READ ONLY`, PostgreSQL
`default_transaction_read_only`), so even a user granted more cannot write through kefu.
A query runs on a worker thread and the caller waits at most `deadline` seconds for
connect, query and fetch together; the drivers' own timeouts end a stuck worker soon
after, and its connection is then discarded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from bot.orders import BackendError
from bot.orders.dsn import explain
from bot.orders.ratelog import EveryMinute

if TYPE_CHECKING:  # sqlalchemy is imported when a shop database is first used
    from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)
POOL_SIZE = 2  # a lookup takes a few ms: two warm connections serve many buyers a second
OVERFLOW = 2  # short bursts may open two more, closed again when idle
WORKERS = POOL_SIZE + OVERFLOW
CONNECT_SECONDS = 3  # the drivers' own bounds, inside kefu's total deadline
QUERY_SECONDS = 4


class ShopDatabases:
    """Engines (connection pools) by URL, a worker pool for deadlines, and the rate-limited
    log of failures."""

    def __init__(self) -> None:
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._workers: ThreadPoolExecutor | None = None
        self.log = EveryMinute(logger)

    def engine(self, url: str) -> Engine:
        """The pool for this URL, made on first use."""
        with self._lock:
            engine = self._engines.get(url)
            if engine is None:
                engine = self._engines[url] = _make_engine(url)
            return engine

    def fetch_one(self, url: str, sql: str, params: Mapping[str, Any],
                  deadline: float) -> dict[str, Any] | None:
        """The first row of a read-only query as a dict (None: no row); BackendError with a
        one-line reason when the database cannot answer within `deadline` seconds."""
        future = self._pool().submit(self._query, url, sql, dict(params))
        try:
            return future.result(timeout=deadline)
        except FutureTimeout:
            future.cancel()
            raise BackendError(f"no answer within {deadline:g} s") from None
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(explain(exc)) from None

    def _query(self, url: str, sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
        from sqlalchemy import text

        with self.engine(url).connect() as conn:
            row = conn.execute(text(sql), params).mappings().first()
            return dict(row) if row is not None else None

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._workers is None:
                self._workers = ThreadPoolExecutor(WORKERS, thread_name_prefix="shopdb")
            return self._workers

    def close(self) -> None:
        """Close every pooled connection (at shutdown, and between tests)."""
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
            workers, self._workers = self._workers, None
        for engine in engines:
            engine.dispose()
        if workers is not None:
            workers.shutdown(wait=False, cancel_futures=True)


def _make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    common: dict[str, Any] = {"pool_size": POOL_SIZE, "max_overflow": OVERFLOW,
                              "pool_timeout": CONNECT_SECONDS, "pool_pre_ping": True,
                              "pool_recycle": 280}  # below MySQL's and proxies' idle cut-offs
    if url.startswith("mysql"):
        engine = create_engine(url, connect_args={
            "connect_timeout": CONNECT_SECONDS, "read_timeout": QUERY_SECONDS,
            "write_timeout": QUERY_SECONDS, "charset": "utf8mb4"}, **common)

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute("SET SESSION TRANSACTION READ ONLY")
        return engine
    return create_engine(url, connect_args={
        "connect_timeout": CONNECT_SECONDS,
        "options": (f"-c default_transaction_read_only=on "
                    f"-c statement_timeout={QUERY_SECONDS * 1000}")}, **common)
