"""Housekeeping rows: the `upkeep` state table and the bounded rewrites pruning makes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.db.base import Table, iso, marks
from bot.records import FINAL_STAGES

# Rewrites one row's stored fields; returns only the fields that change.
Rewrite = Callable[[dict[str, Any]], dict[str, Any]]
# The tables pruning walks by id, with the time column each row is dated by.
DATED = {"messages": "at", "outbox": "at", "ticket_events": "at"}


class Upkeep(Table):
    """The `upkeep` table and the row walks of bot/retention.py."""

    def get(self, name: str) -> str | None:
        """A stored value, or None."""
        row = self._one("SELECT value FROM upkeep WHERE name = ?", [name])
        return row["value"] if row else None

    def put(self, name: str, value: str) -> None:
        """Store a value under a name."""
        self.db.execute("INSERT INTO upkeep (name, value) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [name, value])

    def older(self, table: str, after_id: int, before: datetime, limit: int
              ) -> list[dict[str, Any]]:
        """Rows past an id mark dated before a time, by id (the primary key: no full scan)."""
        return self._query(f"SELECT * FROM {table} WHERE id > ? AND {DATED[table]} < ? "
                           "ORDER BY id LIMIT ?", [after_id, iso(before), limit])

    def of_tickets(self, table: str, ticket_ids: list[int]) -> list[dict[str, Any]]:
        """Every row of a table that belongs to these tickets."""
        return self._query(f"SELECT * FROM {table} WHERE ticket_id IN ({marks(ticket_ids)})",
                           ticket_ids)

    def resolved_after(self, at: str, after_id: int, limit: int) -> list[dict[str, Any]]:
        """Resolved tickets (id, resolved_at) past a (time, id) mark, oldest first."""
        return self._query(
            f"SELECT id, resolved_at FROM tickets WHERE (resolved_at > ? OR (resolved_at = ? "
            f"AND id > ?)) AND stage IN ({marks(FINAL_STAGES)}) ORDER BY resolved_at, id "
            "LIMIT ?", [at, at, after_id, *FINAL_STAGES, limit])

    def rewrite(self, table: str, rows: list[dict[str, Any]], change: Rewrite) -> int:
        """Apply a rewrite to rows; how many changed."""
        changed = 0
        for row in rows:
            fields = change(row)
            if fields:
                sets = ", ".join(f"{k} = ?" for k in fields)
                self.db.execute(f"UPDATE {table} SET {sets} WHERE id = ?",
                                [*fields.values(), row["id"]])
                changed += 1
        return changed

    def forget_seen(self, before: datetime, limit: int) -> int:
        """Drop re-delivery guards older than a time (Telegram re-delivers within a day)."""
        cur = self.db.execute("DELETE FROM seen_events WHERE rowid IN (SELECT rowid FROM "
                              "seen_events WHERE at < ? LIMIT ?)", [iso(before), limit])
        return cur.rowcount
