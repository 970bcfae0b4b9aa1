"""Where each ticket lives in the staff chat, and which ticket a staff message is about."""

from __future__ import annotations

from typing import Any

from bot.db.base import Table


class StaffThreads(Table):
    """The `staff_threads` and `staff_messages` tables."""

    def get(self, ticket_id: int) -> dict[str, Any] | None:
        """The staff-chat topic / card of a ticket, if one was made."""
        return self._one("SELECT * FROM staff_threads WHERE ticket_id = ?", [ticket_id])

    def save(self, ticket_id: int, chat_id: int, thread_id: int | None,
             card_message_id: int | None) -> None:
        """Remember (or replace) where a ticket lives in the staff chat."""
        self.db.execute("INSERT OR REPLACE INTO staff_threads VALUES (?, ?, ?, ?)",
                        [ticket_id, chat_id, thread_id, card_message_id])

    def ticket_in(self, chat_id: int, thread_id: int) -> int | None:
        """The ticket a forum topic belongs to."""
        row = self._one("SELECT ticket_id FROM staff_threads WHERE chat_id = ? AND thread_id = ?",
                        [chat_id, thread_id])
        return row["ticket_id"] if row else None

    def remember_message(self, chat_id: int, message_id: int, ticket_id: int) -> None:
        """Note which ticket a staff-chat message is about, so replies to it find the ticket."""
        self.db.execute("INSERT OR REPLACE INTO staff_messages VALUES (?, ?, ?)",
                        [chat_id, message_id, ticket_id])

    def ticket_of_message(self, chat_id: int, message_id: int) -> int | None:
        """The ticket a staff-chat message was about."""
        row = self._one("SELECT ticket_id FROM staff_messages WHERE chat_id = ? AND "
                        "message_id = ?", [chat_id, message_id])
        return row["ticket_id"] if row else None
