"""Buyers: who wrote, who is blocked, and what happened to them outside any ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Table, dumps, iso, marks
from bot.records import parse_time


class Users(Table):
    """The `users` and `user_events` tables."""

    def ensure(self, user_id: int, name: str, now: datetime) -> None:
        """Remember a buyer the first time they write."""
        self.db.execute("INSERT OR IGNORE INTO users (id, name, first_seen) VALUES (?, ?, ?)",
                        [user_id, name, iso(now)])

    def known(self, user_id: int) -> bool:
        """Whether this buyer has ever written."""
        return self._one("SELECT id FROM users WHERE id = ?", [user_id]) is not None

    def name(self, user_id: int) -> str:
        """A buyer's display name, or their id."""
        row = self._one("SELECT name FROM users WHERE id = ?", [user_id])
        return (row or {}).get("name") or str(user_id)

    def is_blocked(self, user_id: int) -> bool:
        """Whether staff blocked this buyer."""
        row = self._one("SELECT blocked FROM users WHERE id = ?", [user_id])
        return bool(row and row["blocked"])

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Block or unblock a buyer (the caller records who and why as a user event)."""
        self.db.execute("UPDATE users SET blocked = ? WHERE id = ?", [int(blocked), user_id])

    def add_event(self, user_id: int, actor: str, event: str, now: datetime,
                  **data: Any) -> None:
        """Record something that happened to a buyer rather than to a ticket."""
        self._insert("user_events", {"user_id": user_id, "at": iso(now), "actor": actor,
                                     "event": event, "data": dumps(data)})

    def last_event(self, user_id: int, event: str) -> datetime | None:
        """When this event last happened to the buyer."""
        row = self._one("SELECT max(at) AS at FROM user_events WHERE user_id = ? AND event = ?",
                        [user_id, event])
        return parse_time(row["at"]) if row else None

    def latest_event(self, user_id: int, *events: str) -> str | None:
        """Which of these events happened to the buyer last."""
        row = self._one(f"SELECT event FROM user_events WHERE user_id = ? "
                        f"AND event IN ({marks(events)}) ORDER BY id DESC LIMIT 1",
                        [user_id, *events])
        return row["event"] if row else None

    def events(self, user_id: int) -> list[dict[str, Any]]:
        """A buyer's events, oldest first."""
        return self._query("SELECT * FROM user_events WHERE user_id = ? ORDER BY id", [user_id])
