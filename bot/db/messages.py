"""The transcript: every message in or out, both sides (texts pruned by bot/retention)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Table, dumps, iso, marks


class Messages(Table):
    """The `messages` table."""

    def record(self, user_id: int, direction: str, sender: str, text: str, now: datetime,
               ticket_id: int | None = None, kind: str = "text", **meta: Any) -> int:
        """Keep a message in or out; the new row's id."""
        return self._insert("messages", {
            "at": iso(now), "user_id": user_id, "ticket_id": ticket_id,
            "direction": direction, "sender": sender, "kind": kind, "text": text,
            "meta": dumps(meta)})

    def forget_texts(self, ids: list[int], stub: str) -> None:
        """Keep only who, when and what kind: the text and any file pointer go."""
        if ids:
            self.db.execute(f"UPDATE messages SET text = ?, meta = '{{}}' "
                            f"WHERE id IN ({marks(ids)})", [stub, *ids])

    def record_decision(self, user_id: int, decision: str, intent: str | None) -> None:
        """Note what the matcher decided on the buyer's latest message: this turn's, as the
        turn records the message first and holds the write transaction until it commits."""
        self.db.execute(
            "UPDATE messages SET decision = ?, intent = ? WHERE id = (SELECT max(id) FROM "
            "messages WHERE user_id = ? AND direction = 'in')", [decision, intent, user_id])

    def attach_recent(self, user_id: int, ticket_id: int) -> None:
        """Link the buyer's messages since their last ticket to this new one."""
        self.db.execute("UPDATE messages SET ticket_id = ? "
                        "WHERE user_id = ? AND ticket_id IS NULL", [ticket_id, user_id])

    def buyer_words(self, ticket_id: int) -> list[str]:
        """What the buyer wrote that belongs to a ticket, oldest first."""
        return [r["text"] for r in self._query(
            "SELECT text FROM messages WHERE ticket_id = ? AND direction = 'in' "
            "AND kind = 'text' ORDER BY id", [ticket_id])]

    def transcript(self, user_id: int, limit: int = 30) -> list[dict[str, Any]]:
        """The buyer's latest messages, oldest first."""
        rows = self._query("SELECT * FROM messages WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                           [user_id, limit])
        return rows[::-1]

    def last_out(self, user_id: int) -> str | None:
        """The text of the latest message the buyer got, from kefu or an agent."""
        row = self._one("SELECT text FROM messages WHERE user_id = ? AND direction = 'out' "
                        "ORDER BY id DESC LIMIT 1", [user_id])
        return row["text"] if row else None

    def count_in_since(self, user_id: int, since: datetime) -> int:
        """How many messages (texts, buttons, commands) the buyer sent since a time."""
        return self._count(
            "SELECT count(*) FROM messages WHERE user_id = ? AND direction = 'in' AND at >= ?",
            [user_id, iso(since)])
