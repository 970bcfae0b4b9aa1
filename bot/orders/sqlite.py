"""Orders from the `orders` table in kefu's own database, which the shop fills.

The shop writes rows with `sqlite-utils insert` or `kefu orders import FILE.csv`
(see README). This backend only reads: it has no refund or resend endpoint, so
fast-path refunds become a one-tap approval card for an agent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo

from bot.db import Store
from bot.orders import ActionResult, BackendError, Order, Proof
from bot.orders.parse import order_from

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SqliteOrders:
    """Read orders from kefu's database; naive times are the shop's local time."""

    store: Store
    tz: tzinfo
    can_refund: bool = False
    can_resend: bool = False
    remote: bool = False  # a read of kefu's own file: answered inside the turn
    records_telegram: bool = True  # the `buyer` column holds Telegram ids

    def lookup(self, order_no: str, proof: Proof | None = None) -> Order | None:
        """The order row, or None; a row kefu cannot read is a BackendError. The proof is
        ignored: kefu checks it against the row itself (bot/orders/ownership.py)."""
        row = self.store.orders.row(order_no)
        if row is None:
            return None
        try:
            return order_from(row, self.tz)
        except ValueError as exc:
            logger.warning("orders row %s unreadable: %s", order_no, exc)
            raise BackendError(f"orders row unreadable: {exc}") from None

    def request_refund(self, order: Order, reason: str) -> ActionResult:
        """Not supported: the table is the shop's export, kefu cannot move money through it."""
        raise BackendError("the sqlite backend has no refund endpoint")

    def resend(self, order: Order, ticket: str = "") -> ActionResult:
        """Not supported: the table holds no codes to send."""
        raise BackendError("the sqlite backend has no resend endpoint")
