"""The shop's orders (`orders`, filled by the shop) and kefu's lookups (`order_checks`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Table, iso, marks


class Orders(Table):
    """The `orders` and `order_checks` tables."""

    def row(self, order_no: str) -> dict[str, Any] | None:
        """A row of the `orders` table (order numbers compare case-insensitively)."""
        return self._one("SELECT * FROM orders WHERE order_no = ? COLLATE NOCASE", [order_no])

    def upsert(self, rows: list[dict[str, Any]], now: datetime) -> int:
        """Insert orders or replace them by order number; returns how many were written."""
        for row in rows:
            row = {**row, "updated_at": iso(now)}
            sets = ", ".join(f"{c} = excluded.{c}" for c in row if c != "order_no")
            self.db.execute(f"INSERT INTO orders ({', '.join(row)}) VALUES ({marks(row)}) "
                            f"ON CONFLICT(order_no) DO UPDATE SET {sets}", list(row.values()))
        return len(rows)

    def record_check(self, user_id: int, order_no: str, intent: str | None,
                     status: str | None, outcome: str, now: datetime) -> None:
        """Log one lookup a buyer caused and what kefu decided."""
        self._insert("order_checks", {"at": iso(now), "user_id": user_id, "order_no": order_no,
                                      "intent": intent, "status": status, "outcome": outcome})

    def claims(self, user_id: int, intents: tuple[str, ...], since: datetime,
               other_than: str = "") -> int:
        """Distinct orders (but one) this buyer reported with one of these intents since a time."""
        return self._count(
            f"SELECT count(DISTINCT order_no) FROM order_checks WHERE user_id = ? "
            f"AND intent IN ({marks(intents)}) AND at >= ? AND order_no != ? COLLATE NOCASE",
            [user_id, *intents, iso(since), other_than])
