"""Channel notices ("支付宝通道维护") and the buyers who must hear the all-clear."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Table, iso
from bot.records import Notice, parse_time


class Notices(Table):
    """The `notices` and `notice_buyers` tables."""

    def start(self, channel: str, text: str, until: datetime, agent_id: int,
              now: datetime) -> tuple[Notice, bool]:
        """Post a notice, or update the channel's active one; True when it is new."""
        current = self.active(channel)
        if current:
            self.db.execute("UPDATE notices SET text = ?, until = ?, staff_asked_at = NULL "
                            "WHERE id = ?", [text, iso(until), current.id])
            return self.get(current.id), False  # type: ignore[return-value]
        new_id = self._insert("notices", {"channel": channel, "text": text,
                                          "started_at": iso(now), "until": iso(until),
                                          "started_by": agent_id})
        return self.get(new_id), True  # type: ignore[return-value]

    def get(self, notice_id: int) -> Notice | None:
        """One notice by id."""
        row = self._one("SELECT * FROM notices WHERE id = ?", [notice_id])
        return _notice(row) if row else None

    def active(self, channel: str) -> Notice | None:
        """The channel's notice that has not ended."""
        row = self._one("SELECT * FROM notices WHERE ended_at IS NULL AND channel = ?",
                        [channel])
        return _notice(row) if row else None

    def all_active(self) -> list[Notice]:
        """Every notice that has not ended, oldest first."""
        return [_notice(r) for r in self._query(
            "SELECT * FROM notices WHERE ended_at IS NULL ORDER BY id")]

    def mark(self, notice_id: int, now: datetime, field: str) -> None:
        """Set ended_at or staff_asked_at."""
        assert field in ("ended_at", "staff_asked_at")
        self.db.execute(f"UPDATE notices SET {field} = ? WHERE id = ?", [iso(now), notice_id])

    def add_buyer(self, notice_id: int, user_id: int, now: datetime) -> None:
        """Remember a buyer who must hear the all-clear."""
        self.db.execute("INSERT OR IGNORE INTO notice_buyers (notice_id, user_id, at) "
                        "VALUES (?, ?, ?)", [notice_id, user_id, iso(now)])

    def untold(self, notice_id: int, now: datetime) -> list[int]:
        """Buyers not yet told the channel recovered; marks them told."""
        users = [r["user_id"] for r in self._query(
            "SELECT user_id FROM notice_buyers WHERE notice_id = ? AND told_at IS NULL "
            "ORDER BY at", [notice_id])]
        self.db.execute("UPDATE notice_buyers SET told_at = ? WHERE notice_id = ? "
                        "AND told_at IS NULL", [iso(now), notice_id])
        return users


def _notice(row: dict[str, Any]) -> Notice:
    return Notice(row["id"], row["channel"], row["text"], parse_time(row["started_at"]),
                  parse_time(row["until"]), row["started_by"],  # type: ignore[arg-type]
                  parse_time(row["staff_asked_at"]), parse_time(row["ended_at"]))
