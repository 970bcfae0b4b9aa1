"""A ticket's history: who changed what, when (`ticket_events`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Table, dumps, iso, marks


class TicketEvents(Table):
    """The `ticket_events` table."""

    def add(self, ticket_id: int, actor: str, event: str, now: datetime, **data: Any) -> None:
        """Record one change to a ticket: who, what, when."""
        self._insert("ticket_events", {"ticket_id": ticket_id, "at": iso(now), "actor": actor,
                                       "event": event, "data": dumps(data)})

    def of(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's history, oldest first."""
        return self._query("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id",
                           [ticket_id])

    def count(self, ticket_id: int, event: str, since: datetime | None = None) -> int:
        """How many times an event happened to a ticket (since a time)."""
        sql = "SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND event = ?"
        params: list[Any] = [ticket_id, event]
        if since is not None:
            sql += " AND at >= ?"
            params.append(iso(since))
        return self._count(sql, params)

    def count_since(self, events: tuple[str, ...], since: datetime) -> int:
        """How many of these ticket events happened since a time, over all tickets."""
        return self._count(f"SELECT count(*) FROM ticket_events WHERE event IN ({marks(events)}) "
                           "AND at >= ?", [*events, iso(since)])
