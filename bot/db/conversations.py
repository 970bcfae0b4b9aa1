"""Where each buyer is in the flow, so a restart resumes at the same step."""

from __future__ import annotations

from datetime import datetime

from bot.db.base import Table, dumps, iso
from bot.records import Conversation


class Conversations(Table):
    """The `conversations` table: one row per buyer."""

    def get(self, user_id: int) -> Conversation:
        """The buyer's current flow state (idle when none is stored)."""
        row = self._one("SELECT * FROM conversations WHERE user_id = ?", [user_id])
        return Conversation.from_row(row) if row else Conversation(user_id)

    def save(self, conv: Conversation, now: datetime) -> None:
        """Persist the flow state so a restart resumes at the same step."""
        offered = [{"label": c.label, "data": c.data} for c in conv.offered]
        self.db.execute(
            "INSERT OR REPLACE INTO conversations "
            "(user_id, step, intent, details, offered, ticket_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [conv.user_id, conv.step, conv.intent, dumps(conv.details), dumps(offered),
             conv.ticket_id, iso(now)])

    def show(self, user_id: int, offered: list[dict[str, str]], now: datetime) -> None:
        """What is on the buyer's screen now: the choices of the latest message they got."""
        self.db.execute(
            "INSERT INTO conversations (user_id, step, offered, updated_at) "
            "VALUES (?, 'idle', ?, ?) ON CONFLICT(user_id) DO UPDATE SET offered = "
            "excluded.offered", [user_id, dumps(offered), iso(now)])
