"""The same order reported from another account: one ticket, and both accounts are heard."""

from __future__ import annotations

from datetime import datetime

from bot import plain, replies
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import Outgoing, Ticket


def ticket_elsewhere(k: Kefu, user_id: int, order_no: str | None) -> Ticket | None:
    """The open ticket another account has about this order, if any."""
    ticket = k.store.tickets.open_by_order(order_no) if order_no else None
    return ticket if ticket is not None and ticket.user_id != user_id else None


def join_from_other(k: Kefu, t: Ticket, user_id: int, text: str,
                    now: datetime) -> list[Outgoing]:
    """Pass the other account's words to the ticket's staff; tell that account it is handled."""
    k.store.ticket_events.add(t.id, f"buyer:{user_id}", "related_message", now, text=text[:500])
    who = plain.name(k.store.users.name(user_id), str(user_id))
    return [to_staff(t.id, f"另一账号 {who} (id {user_id}) 就同一订单 {t.order_no} 发来: "
                           f"{plain.one_line(text, 500)}"),
            to_buyer(user_id, replies.ORDER_IN_PROGRESS.format(order=t.order_no))]
