"""What arrived and is not yet handled, and which updates were seen (re-delivery guard)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.db.base import Table, dumps, iso, marks


class Inbox(Table):
    """The `inbox` table (buyer events written before they are handled) and `seen_events`."""

    def add(self, user_id: int, event: dict[str, Any], now: datetime) -> int:
        """Keep a received event until a turn handles it."""
        return self._insert("inbox", {"user_id": user_id, "at": iso(now), "event": dumps(event)})

    def pending(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """Unhandled events (of one buyer, or all), oldest first."""
        where, params = ("WHERE user_id = ?", [user_id]) if user_id is not None else ("", [])
        return [dict(r, event=json.loads(r["event"]))
                for r in self._query(f"SELECT * FROM inbox {where} ORDER BY id", params)]

    def users(self) -> list[int]:
        """Buyers with events waiting, without reading the events."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT user_id FROM inbox ORDER BY user_id").fetchall()]

    def done(self, ids: list[int]) -> None:
        """Drop handled events (inside the turn's transaction; `messages` keeps the text)."""
        self.db.execute(f"DELETE FROM inbox WHERE id IN ({marks(ids)})", ids)

    def first_time(self, event_id: str, now: datetime) -> bool:
        """Record an event id; False when it was handled before (a re-delivery)."""
        cur = self.db.execute("INSERT OR IGNORE INTO seen_events (id, at) VALUES (?, ?)",
                              [event_id, iso(now)])
        return cur.rowcount == 1
