"""Tickets: one matter of one buyer, numbered T1001 on, from opening to resolution."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.db.base import Table, dumps, iso, marks
from bot.records import FINAL_STAGES, Ticket, ticket_number


class Tickets(Table):
    """The `tickets` table."""

    def create(self, fields: dict[str, Any], now: datetime) -> Ticket:
        """Insert a ticket and give it its never-reused number."""
        row = dict(fields, details=dumps(fields.get("details", {})), created_at=iso(now),
                   updated_at=iso(now), stage="受理", owner="bot")
        row["promised_at"] = iso(row["promised_at"]) if row.get("promised_at") else None
        ticket_id = self._insert("tickets", row)
        self.db.execute("UPDATE tickets SET number = ? WHERE id = ?",
                        [ticket_number(ticket_id), ticket_id])
        return self.get(ticket_id)  # type: ignore[return-value]

    def next_number(self) -> str:
        """The number the next ticket created in this transaction will get (AUTOINCREMENT)."""
        row = self._one("SELECT seq FROM sqlite_sequence WHERE name = 'tickets'", [])
        return ticket_number(int(row["seq"]) + 1 if row else 1)

    def get(self, ticket_id: int) -> Ticket | None:
        """A ticket by id (none for ids SQLite cannot hold, as forged button data may carry)."""
        if not -(2**63) <= ticket_id < 2**63:
            return None
        return self._ticket("SELECT * FROM tickets WHERE id = ?", [ticket_id])

    def by_number(self, number: str) -> Ticket | None:
        """A ticket by its visible number (T1024), case-insensitive."""
        return self._ticket("SELECT * FROM tickets WHERE number = ?", [number.strip().upper()])

    def open_of(self, user_id: int) -> Ticket | None:
        """The buyer's most recent open ticket."""
        return self._ticket(f"SELECT * FROM tickets WHERE user_id = ? AND stage NOT IN "
                            f"({marks(FINAL_STAGES)}) ORDER BY id DESC LIMIT 1",
                            [user_id, *FINAL_STAGES])

    def open_list(self, user_id: int) -> list[Ticket]:
        """Every open ticket of the buyer (their open matters), newest first."""
        return self._tickets(f"SELECT * FROM tickets WHERE user_id = ? AND stage NOT IN "
                             f"({marks(FINAL_STAGES)}) ORDER BY id DESC",
                             [user_id, *FINAL_STAGES])

    def latest_of(self, user_id: int, limit: int = 5) -> list[Ticket]:
        """The buyer's latest tickets, newest first."""
        return self._tickets("SELECT * FROM tickets WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                             [user_id, limit])

    def all_open(self) -> list[Ticket]:
        """Every open ticket, most urgent tier first; within a tier a threatening or upset
        buyer first, then oldest first."""
        return self._tickets(f"SELECT * FROM tickets WHERE stage NOT IN ({marks(FINAL_STAGES)}) "
                             "ORDER BY CASE tier WHEN 'S' THEN 0 WHEN 'A' THEN 1 ELSE 2 END, "
                             "priority DESC, id",
                             FINAL_STAGES)

    def open_by_order(self, order_no: str, user_id: int | None = None,
                      other_than: int | None = None) -> Ticket | None:
        """The first open ticket about this order number: this buyer's, another account's
        (`other_than`), or anyone's."""
        who, params = "", [order_no, *FINAL_STAGES]
        if user_id is not None:
            who, params = " AND user_id = ?", [*params, user_id]
        if other_than is not None:
            who, params = who + " AND user_id != ?", [*params, other_than]
        return self._ticket(f"SELECT * FROM tickets WHERE order_no = ? AND stage NOT IN "
                            f"({marks(FINAL_STAGES)}){who} ORDER BY id LIMIT 1", params)

    def open_refunding(self, states: tuple[str, ...], limit: int) -> list[Ticket]:
        """Open tickets whose refund is in one of these states, oldest first."""
        return self._tickets(f"SELECT * FROM tickets WHERE stage NOT IN ({marks(FINAL_STAGES)}) "
                             f"AND json_extract(details, '$.refund.state') IN ({marks(states)}) "
                             f"ORDER BY id LIMIT ?", [*FINAL_STAGES, *states, limit])

    def update(self, ticket_id: int, now: datetime, **fields: Any) -> None:
        """Change ticket columns (datetimes and dicts are serialised)."""
        fields = {k: iso(v) if isinstance(v, datetime) else
                  (dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
        fields["updated_at"] = iso(now)
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE tickets SET {sets} WHERE id = ?", [*fields.values(), ticket_id])

    def claim(self, ticket_id: int, agent_id: int, now: datetime) -> bool:
        """Give an unclaimed open ticket to an agent; False if someone was first."""
        cur = self.db.execute(
            f"UPDATE tickets SET agent_id = ?, owner = 'agent', claimed_at = ?, updated_at = ? "
            f"WHERE id = ? AND agent_id IS NULL AND stage NOT IN ({marks(FINAL_STAGES)})",
            [agent_id, iso(now), iso(now), ticket_id, *FINAL_STAGES])
        return cur.rowcount == 1

    def _ticket(self, sql: str, params: list[Any]) -> Ticket | None:
        row = self._one(sql, params)
        return Ticket.from_row(row) if row else None

    def _tickets(self, sql: str, params: Sequence[Any]) -> list[Ticket]:
        return [Ticket.from_row(r) for r in self._query(sql, params)]
