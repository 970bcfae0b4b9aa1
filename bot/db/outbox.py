"""Messages to deliver: written with the change that caused them, sent after it commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.db.base import Table, dumps, iso, marks
from bot.records import Choice, Outgoing, parse_time


class Outbox(Table):
    """The `outbox` table; the Telegram sender opens one lane per chat with mail."""

    def enqueue(self, out: Outgoing, now: datetime) -> int:
        """Record a message to deliver; the sender delivers it later, once."""
        choices = [{"label": c.label, "data": c.data} for c in out.choices]
        return self._insert("outbox", {
            "at": iso(now), "audience": out.audience, "user_id": out.user_id,
            "ticket_id": out.ticket_id, "kind": out.kind, "text": out.text,
            "choices": dumps(choices), "file_id": out.file_id})

    def pending(self, audience: str | None = None, user_id: int | None = None,
                limit: int = 100) -> list[Outgoing]:
        """Undelivered messages (for an audience, or one buyer), oldest first."""
        sql = ("SELECT * FROM outbox WHERE delivered_at IS NULL "
               "AND audience = coalesce(?, audience)")
        params: list[Any] = [audience]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        return [_outgoing(r) for r in self._query(sql + " ORDER BY id LIMIT ?", [*params, limit])]

    def mark_delivered(self, outbox_id: int, now: datetime) -> None:
        """The message reached its chat."""
        self.db.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", [iso(now), outbox_id])

    def mark_failed(self, outbox_id: int, error: str) -> None:
        """A delivery attempt failed; it stays pending."""
        self.db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                        [error[:500], outbox_id])

    # Delivery goes one chat at a time, so a stuck chat holds up no other.
    def pending_in(self, audience: str, owner: int | None, limit: int = 50) -> list[Outgoing]:
        """Undelivered messages of one chat, oldest first: a buyer's (owner = user id) or a
        ticket's staff thread (owner = ticket id; None = staff messages about no ticket)."""
        column = "user_id" if audience == "user" else "ticket_id"
        rows = self._query(f"SELECT * FROM outbox WHERE delivered_at IS NULL AND audience = ? "
                           f"AND {column} IS ? ORDER BY id LIMIT ?", [audience, owner, limit])
        return [_outgoing(r) for r in rows]

    def delivered_then_pending(self, outbox_ids: Sequence[int], now: datetime,
                               chat: tuple[str, int | None] | None = None) -> list[Outgoing]:
        """Mark messages delivered (sent together as one); given their chat (audience,
        owner), return what waits there next: one trip to the database per send, not two."""
        self.db.execute(f"UPDATE outbox SET delivered_at = ? WHERE id IN ({marks(outbox_ids)})",
                        [iso(now), *outbox_ids])
        return self.pending_in(*chat) if chat else []

    def pending_chats(self, audience: str) -> list[int | None]:
        """Chats with undelivered messages, longest waiting first: user ids for buyers,
        ticket ids (None: about no ticket) for staff. Owners as `pending_in` takes them."""
        column = "user_id" if audience == "user" else "ticket_id"
        rows = self.db.execute(f"SELECT {column} FROM outbox WHERE delivered_at IS NULL "
                               f"AND audience = ? GROUP BY {column} ORDER BY min(id)",
                               [audience]).fetchall()
        return [r[0] for r in rows]


def _outgoing(row: dict[str, Any]) -> Outgoing:
    choices = tuple(Choice(c["label"], c["data"]) for c in json.loads(row["choices"]))
    return Outgoing(row["audience"], row["text"], row["user_id"], row["ticket_id"], row["kind"],
                    choices, row["id"], file_id=row["file_id"], at=parse_time(row["at"]))
