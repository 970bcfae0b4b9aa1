"""Orders a Telegram user has proved are theirs, so they are asked once (`order_proofs`).

Only the fact is kept (who, which order, how, when), never what the buyer typed.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.base import Table, iso


class OrderProofs(Table):
    """The `order_proofs` table."""

    def add(self, user_id: int, order_no: str, how: str, now: datetime) -> None:
        """Remember that this user proved this order theirs (how: contact or password)."""
        self.db.execute("INSERT OR REPLACE INTO order_proofs (user_id, order_no, how, at) "
                        "VALUES (?, ?, ?, ?)", [user_id, order_no, how, iso(now)])

    def proven(self, user_id: int, order_no: str) -> bool:
        """Whether this user proved this order theirs before."""
        return self._count("SELECT count(*) FROM order_proofs WHERE user_id = ? AND "
                           "order_no = ?", [user_id, order_no]) > 0
