"""The report's queries: read-only, over one period, with a progress bar for big databases."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from tools.report.rows import AgentRow, Dataset, EventRow, MessageRow, OfferRow, TicketRow

PROGRESS_MIN_ROWS = 5_000  # below this a report reads in well under a second
CHUNK = 2_000

_TICKETS = "SELECT * FROM tickets WHERE created_at >= :since AND created_at < :until ORDER BY id"
_EVENTS = ("SELECT e.* FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
           "WHERE t.created_at >= :since AND t.created_at < :until ORDER BY e.id")
_MESSAGES = ("SELECT id, at, user_id, ticket_id, direction, kind, text, {decided} FROM messages "
             "WHERE at >= :since AND at < :until ORDER BY id")
# A database kefu has not migrated since (read-only here) has no decision column.
_DECIDED, _UNDECIDED = "decision, intent", "NULL AS decision, NULL AS intent"
_OFFERS = ("SELECT user_id, at, choices FROM outbox WHERE audience = 'user' "
           "AND choices != '[]' AND at >= :since AND at < :until ORDER BY id")
_AGENTS = "SELECT id, name, role FROM agents ORDER BY id"
_OPENED = ("SELECT id, created_at FROM tickets WHERE id IN (SELECT ticket_id FROM messages "
           "WHERE at >= :since AND at < :until AND ticket_id IS NOT NULL)")
_NEEDED = ("tickets", "ticket_events", "messages", "outbox", "agents")


def open_readonly(path: str | Path) -> sqlite3.Connection | None:
    """Open the database read-only; None when the file does not exist or has no kefu tables."""
    path = Path(path)
    if not path.is_file():
        return None
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not set(_NEEDED) <= tables:
        conn.close()
        return None
    return conn


def read_dataset(conn: sqlite3.Connection, since: datetime, until: datetime,
                 progress: bool | None = None) -> Dataset:
    """Read the period's rows; progress None shows a bar only on a terminal for big reads."""
    params = {"since": _iso(since), "until": _iso(until)}
    messages = _MESSAGES.format(decided=_DECIDED if _has_decisions(conn) else _UNDECIDED)
    queries = (_TICKETS, _EVENTS, messages, _OFFERS)
    total = sum(_count(conn, sql, params) for sql in queries)
    show = progress if progress is not None else (sys.stderr.isatty()
                                                 and total >= PROGRESS_MIN_ROWS)
    with tqdm(total=total, disable=not show, desc="读取 / reading", unit=" rows",
              file=sys.stderr, leave=False) as bar:
        def rows(sql: str, make: Callable[[dict[str, Any]], Any]) -> tuple[Any, ...]:
            return tuple(make(r) for r in _fetch(conn, sql, params, bar.update))
        return Dataset(since, until, rows(_TICKETS, ticket_row), rows(_EVENTS, event_row),
                       rows(messages, message_row), rows(_OFFERS, offer_row),
                       tuple(agent_row(dict(r)) for r in conn.execute(_AGENTS)),
                       {r["id"]: _time(r["created_at"]) for r in conn.execute(_OPENED, params)})


def _has_decisions(conn: sqlite3.Connection) -> bool:
    return any(r[1] == "decision" for r in conn.execute("PRAGMA table_info(messages)"))


def _count(conn: sqlite3.Connection, sql: str, params: dict[str, str]) -> int:
    return int(conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])


def _fetch(conn: sqlite3.Connection, sql: str, params: dict[str, str],
           tick: Callable[[int], Any]) -> Iterator[dict[str, Any]]:
    cur = conn.execute(sql, params)
    while batch := cur.fetchmany(CHUNK):
        tick(len(batch))
        yield from (dict(r) for r in batch)


def _iso(t: datetime) -> str:
    # The store keeps UTC ISO text, so comparing text compares times.
    return t.astimezone(UTC).isoformat()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _json(value: str | None) -> Any:
    try:
        return json.loads(value or "{}")
    except ValueError:
        return {}


def ticket_row(r: dict[str, Any]) -> TicketRow:
    """A tickets row (older schemas may lack breached_at)."""
    rating = _json(r.get("details")).get("rating")
    return TicketRow(
        id=r["id"], number=r["number"] or f"#{r['id']}", user_id=r["user_id"],
        intent=r["intent"], tier=r["tier"], stage=r["stage"],
        created_at=_time(r["created_at"]),  # type: ignore[arg-type]
        agent_id=r["agent_id"], promised_at=_time(r["promised_at"]),
        first_reply_at=_time(r["first_reply_at"]), resolved_at=_time(r["resolved_at"]),
        breached_at=_time(r.get("breached_at")),
        rating=int(rating) if isinstance(rating, int | float) else None)


def event_row(r: dict[str, Any]) -> EventRow:
    """A ticket_events row."""
    return EventRow(r["ticket_id"], _time(r["at"]), r["actor"], r["event"],  # type: ignore[arg-type]
                    _json(r["data"]))


def message_row(r: dict[str, Any]) -> MessageRow:
    """A messages row."""
    return MessageRow(r["id"], _time(r["at"]), r["user_id"], r["direction"],  # type: ignore[arg-type]
                      r["kind"], r["text"] or "", r["ticket_id"], r.get("decision"),
                      r.get("intent"))


def offer_row(r: dict[str, Any]) -> OfferRow:
    """An outbox row to a buyer, reduced to the data of the choices it offered."""
    choices = _json(r["choices"])
    data = tuple(str(c.get("data", "")) for c in choices if isinstance(c, dict)) \
        if isinstance(choices, list) else ()
    return OfferRow(r["user_id"], _time(r["at"]), data)  # type: ignore[arg-type]


def agent_row(r: dict[str, Any]) -> AgentRow:
    """An agents row."""
    return AgentRow(r["id"], r["name"], r["role"])
