"""The queue as the ETA reads it: tickets waiting, agents busy, how long work takes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Table, iso, marks
from bot.records import FINAL_STAGES, TIER_RANK


class Queue(Table):
    """Counts over `tickets` (and `agents`) for wait estimates; writes nothing."""

    def waiting_ahead(self, tier: str, before: datetime | None = None) -> int:
        """Open tickets of this or a more urgent tier still waiting for a first reply."""
        tiers = [t for t, rank in TIER_RANK.items() if rank <= TIER_RANK.get(tier, 2)]
        sql = (f"SELECT count(*) FROM tickets WHERE first_reply_at IS NULL "
               f"AND tier IN ({marks(tiers)}) AND stage NOT IN ({marks(FINAL_STAGES)})")
        params: list[Any] = [*tiers, *FINAL_STAGES]
        if before is not None:
            sql += " AND created_at < ?"
            params.append(iso(before))
        return self._count(sql, params)

    def waiting_in(self, tier: str, before: datetime) -> int:
        """Open tickets of exactly this tier, opened before a time, still without a reply."""
        return self._count(
            f"SELECT count(*) FROM tickets WHERE first_reply_at IS NULL AND tier = ? "
            f"AND stage NOT IN ({marks(FINAL_STAGES)}) AND created_at < ?",
            [tier, *FINAL_STAGES, iso(before)])

    def opened_since(self, tiers: list[str], since: datetime) -> int:
        """Tickets now in these tiers that were opened since a time."""
        return self._count(
            f"SELECT count(*) FROM tickets WHERE tier IN ({marks(tiers)}) AND created_at >= ?",
            [*tiers, iso(since)]) if tiers else 0

    def agents_busy(self) -> int:
        """On-duty agents working an open ticket (not one waiting on the buyer in 反馈)."""
        return self._count(
            "SELECT count(DISTINCT t.agent_id) FROM tickets t JOIN agents a ON a.id = t.agent_id "
            "WHERE a.on_duty = 1 AND t.stage IN ('受理', '核实', '处理')")

    def handle_times(self, limit: int) -> list[float]:
        """Seconds agents spent on the latest resolved tickets (claim to resolve)."""
        rows = self._query("SELECT claimed_at, resolved_at FROM tickets WHERE claimed_at "
                           "IS NOT NULL AND resolved_at IS NOT NULL ORDER BY id DESC LIMIT ?",
                           [limit])
        return [(datetime.fromisoformat(r["resolved_at"])
                 - datetime.fromisoformat(r["claimed_at"])).total_seconds() for r in rows]
