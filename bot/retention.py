"""Keep buyers' and agents' words only as long as needed.

Texts older than `retention.messages_days` become a stub (who, when, which way and what
kind stay: the report and the flood limit count them); codes in a resolved ticket's
messages are masked at rest, keeping the last 4; messages of blocked and flood-held
buyers are never kept at all (bot/conversation.py). Run daily from the tick, a bounded
batch at a time, and by `kefu prune`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db import Store
from bot.db.base import dumps, iso

STUB = "[已过保留期, 内容已清理]"
HELD = "[屏蔽或刷屏期间的消息, 内容未保存]"
# Event data keys that hold someone's words (an agent's reply, a buyer's reason).
TEXT_KEYS = frozenset({"text", "reason", "demand_text", "comment", "caption"})
# Message meta keys that point at content (a screenshot's file id).
CONTENT_META = frozenset({"file_id", "caption"})
DAY = timedelta(days=1)
SEEN_KEEP = timedelta(days=7)  # Telegram re-delivers within a day; a week is plenty
BATCH = 500  # rows per table per step: one tick over a huge database stays short
Mask = Callable[[str], str]


@dataclass(frozen=True)
class Pruned:
    """What one pruning run changed."""

    messages: int = 0  # transcript texts stubbed
    outbox: int = 0  # delivered outbox texts stubbed
    events: int = 0  # ticket events whose texts were stubbed
    masked: int = 0  # rows of resolved tickets whose codes were masked
    seen: int = 0  # old re-delivery guards dropped
    more: bool = False  # a batch was full: there is more to do

    def __add__(self, other: Pruned) -> Pruned:
        """Counts summed; more when the later run says so."""
        counts = {f.name: getattr(self, f.name) + getattr(other, f.name)
                  for f in fields(self) if f.name != "more"}
        return Pruned(**counts, more=other.more)

    def lines(self) -> list[str]:
        """One line per count, for `kefu prune`."""
        return [f"messages stubbed: {self.messages}", f"outbox rows stubbed: {self.outbox}",
                f"ticket events stubbed: {self.events}",
                f"rows of resolved tickets masked: {self.masked}",
                f"old update ids dropped: {self.seen}"]


def _strip(meta: str) -> str:
    data = json.loads(meta or "{}")
    return dumps({k: v for k, v in data.items() if k not in CONTENT_META})


def stub_message(row: dict[str, Any]) -> dict[str, Any]:
    """A transcript row past retention: its text and content pointers gone."""
    meta = _strip(row["meta"])
    if row["text"] in ("", STUB, HELD) and meta == (row["meta"] or "{}"):
        return {}
    return {"text": row["text"] if row["text"] in ("", HELD) else STUB, "meta": meta}


def stub_outbox(row: dict[str, Any]) -> dict[str, Any]:
    """A delivered outbox row past retention; undelivered rows are left to the sender."""
    if row["delivered_at"] is None or (row["text"] == STUB and row["file_id"] is None):
        return {}
    return {"text": STUB, "choices": "[]", "file_id": None}


def stub_event(row: dict[str, Any], mask: Mask) -> dict[str, Any]:
    """An event past retention: words stubbed, other strings masked, figures kept."""
    data = json.loads(row["data"] or "{}")
    new = {k: (STUB if k in TEXT_KEYS else mask(v)) if isinstance(v, str) else v
           for k, v in data.items()}
    return {"data": dumps(new)} if new != data else {}


def mask_text(field: str, mask: Mask) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A rewrite masking codes in one text column."""
    def change(row: dict[str, Any]) -> dict[str, Any]:
        text = row[field] or ""
        masked = mask(text)
        return {field: masked} if masked != text else {}
    return change


def mask_event(row: dict[str, Any], mask: Mask) -> dict[str, Any]:
    """An event of a resolved ticket with codes masked in every string."""
    data = json.loads(row["data"] or "{}")
    new = {k: mask(v) if isinstance(v, str) else v for k, v in data.items()}
    return {"data": dumps(new)} if new != data else {}


def step(store: Store, mask: Mask, days: int, now: datetime, limit: int = BATCH) -> Pruned:
    """One bounded pass: up to `limit` rows per table, resuming where the last pass ended."""
    up, more = store.upkeep, False
    counts: dict[str, int] = {}
    if days > 0:
        cutoff = now.astimezone(UTC) - timedelta(days=days)
        rewrites = {"messages": stub_message, "outbox": stub_outbox,
                    "ticket_events": lambda row: stub_event(row, mask)}
        for table, change in rewrites.items():
            mark = int(up.get(f"pruned:{table}") or 0)
            rows = up.older(table, mark, cutoff, limit)
            counts[table] = up.rewrite(table, rows, change)
            if rows:
                up.put(f"pruned:{table}", str(rows[-1]["id"]))
            more = more or len(rows) == limit
    masked, full = _mask_resolved(store, mask, max(limit // 10, 1))
    seen = store.upkeep.forget_seen(now.astimezone(UTC) - SEEN_KEEP, limit)
    return Pruned(counts.get("messages", 0), counts.get("outbox", 0),
                  counts.get("ticket_events", 0), masked, seen,
                  more or full or seen == limit)


def _mask_resolved(store: Store, mask: Mask, limit: int) -> tuple[int, bool]:
    """Mask codes in the rows of tickets resolved since the last pass."""
    up = store.upkeep
    at, _, after = (up.get("masked:resolved") or "|0").partition("|")
    tickets = up.resolved_after(at, int(after), limit)
    if not tickets:
        return 0, False
    ids = [t["id"] for t in tickets]
    masked = (up.rewrite("messages", up.of_tickets("messages", ids), mask_text("text", mask))
              + up.rewrite("outbox", up.of_tickets("outbox", ids), mask_text("text", mask))
              + up.rewrite("ticket_events", up.of_tickets("ticket_events", ids),
                           lambda row: mask_event(row, mask)))
    # The mark is (time, id): tickets resolved in the same instant are neither skipped
    # nor repeated. A ticket reopened and resolved again is later than the mark again.
    up.put("masked:resolved", f"{tickets[-1]['resolved_at']}|{tickets[-1]['id']}")
    return masked, len(tickets) == limit


def due(store: Store, now: datetime) -> bool:
    """Whether the daily run should take a step now (a day since the last, or unfinished)."""
    if store.upkeep.get("prune:more") == "1":
        return True
    last = store.upkeep.get("prune:last")
    return last is None or now.astimezone(UTC) - datetime.fromisoformat(last) >= DAY


def daily(store: Store, mask: Mask, days: int, now: datetime,
          limit: int = BATCH) -> Pruned | None:
    """The bot's daily run: one bounded step when due, recorded so a restart won't repeat
    it; None when not due. Call inside a transaction."""
    if not due(store, now):
        return None
    if store.upkeep.get("prune:more") != "1":
        store.upkeep.put("prune:last", iso(now))
    result = step(store, mask, days, now, limit)
    store.upkeep.put("prune:more", "1" if result.more else "0")
    return result


def prune_all(store: Store, mask: Mask, days: int, now: datetime,
              limit: int = BATCH) -> Pruned:
    """Everything due, step by step, each step its own transaction (`kefu prune`)."""
    total = Pruned()
    while True:
        with store.transaction():
            result = step(store, mask, days, now, limit)
            store.upkeep.put("prune:last", iso(now))
            store.upkeep.put("prune:more", "0")
        total += result
        if not result.more:
            return total
