"""What kefu asked the shop to do per order number (`order_actions`): refunds and resends.

Kept apart from tickets on purpose: a buyer can edit a ticket's order number, withdraw
the ticket or open another, but this history stays with the order it was about.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.base import Table, iso, marks

REFUND_ACTIONS = ("refund_requested", "refund_awaiting", "refund_approved")
AUTO_REFUNDS = ("refund_requested", "refund_awaiting")  # kefu's own: the daily cap counts these
RESEND = "resend"


class OrderActions(Table):
    """The `order_actions` table."""

    def record(self, order_no: str, action: str, ticket_id: int | None, user_id: int | None,
               now: datetime, amount: float | None = None, reference: str = "") -> None:
        """Remember one refund or resend request kefu made (or queued) for an order."""
        self._insert("order_actions", {
            "order_no": order_no, "action": action, "ticket_id": ticket_id, "user_id": user_id,
            "amount": amount, "reference": reference, "at": iso(now)})

    def refunded(self, order_no: str) -> bool:
        """Whether a refund of this order was ever asked for or approved."""
        return self._count(f"SELECT count(*) FROM order_actions WHERE order_no = ? "
                           f"COLLATE NOCASE AND action IN ({marks(REFUND_ACTIONS)})",
                           [order_no, *REFUND_ACTIONS]) > 0

    def refunded_on_other_ticket(self, order_no: str, ticket_id: int) -> int | None:
        """A ticket other than this one on which a refund of the order went out or was approved."""
        row = self._one("SELECT ticket_id FROM order_actions WHERE order_no = ? COLLATE NOCASE "
                        "AND action IN ('refund_requested', 'refund_approved') "
                        "AND ticket_id IS NOT ? ORDER BY id LIMIT 1", [order_no, ticket_id])
        return int(row["ticket_id"]) if row and row["ticket_id"] is not None else None

    def refunds_since(self, since: datetime) -> int:
        """Distinct orders kefu refunded on its own (or queued for one tap) since a time: the
        daily cap. An agent's approval of a large refund is not kefu's fast path."""
        return self._count(f"SELECT count(DISTINCT order_no) FROM order_actions "
                           f"WHERE action IN ({marks(AUTO_REFUNDS)}) AND at >= ?",
                           [*AUTO_REFUNDS, iso(since)])

    def resends_since(self, since: datetime, order_no: str | None = None,
                      user_id: int | None = None) -> int:
        """Resend requests since a time, of one order or one buyer (or all)."""
        sql, params = "SELECT count(*) FROM order_actions WHERE action = ? AND at >= ?", [
            RESEND, iso(since)]
        if order_no is not None:
            sql, params = sql + " AND order_no = ? COLLATE NOCASE", [*params, order_no]
        if user_id is not None:
            sql, params = sql + " AND user_id = ?", [*params, user_id]
        return self._count(sql, params)
