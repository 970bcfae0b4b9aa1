"""The same order named from another account: never joined to its owner's ticket.

Whoever names an order first does not own it. Another account naming it goes through its
own intake and lookup, and gets its own ticket when a person is needed; both tickets are
flagged for staff ("同一订单 #T1001, 另一账号"), and no reply tells either buyer that the
other ticket exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import plain
from bot.kefu import Kefu
from bot.outbox import to_staff
from bot.records import Outgoing, Ticket

FLAG = "same_order"  # ticket details: the number of another account's open ticket


def flag(k: Kefu, user_id: int, order_no: str | None, details: dict[str, Any]
         ) -> dict[str, Any]:
    """The details flagged with another account's open ticket on this order, if any."""
    other = k.store.tickets.open_by_order(order_no, other_than=user_id) if order_no else None
    return {**details, FLAG: other.number} if other is not None else details


def card_line(t: Ticket) -> list[str]:
    """The staff card's warning line for a flagged ticket."""
    return [f"⚠️ 同一订单 #{t.details[FLAG]}, 另一账号"] if t.details.get(FLAG) else []


def tell_other(k: Kefu, t: Ticket, now: datetime) -> list[Outgoing]:
    """Tell the other ticket's staff thread about this one, and flag that ticket back."""
    other = k.store.tickets.by_number(t.details[FLAG]) if t.details.get(FLAG) else None
    if other is None or other.user_id == t.user_id:
        return []
    if not other.details.get(FLAG):
        k.store.tickets.update(other.id, now, details={**other.details, FLAG: t.number})
    who = plain.name(k.store.users.name(t.user_id), str(t.user_id))
    k.store.ticket_events.add(other.id, "bot", "same_order_elsewhere", now, ticket=t.number,
                              user_id=t.user_id)
    k.store.ticket_events.add(t.id, "bot", "same_order_elsewhere", now, ticket=other.number,
                              user_id=other.user_id)
    return [to_staff(other.id, f"⚠️ 另一账号 {who} (id {t.user_id}) 就同一订单 {t.order_no} "
                               f"开了 #{t.number}; 两边各自核实, 回复不会互通"),
            to_staff(t.id, f"⚠️ 同一订单 #{other.number}, 另一账号; 请核实订单归属")]
