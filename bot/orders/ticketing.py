"""What kefu learnt and did about an order, put on a ticket: facts for the card, notes and
events for the agent, and tickets for what kefu handled itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import tickets
from bot.kefu import Kefu
from bot.orders import Order, mask_contact
from bot.records import RESOLVED, Conversation, Outgoing, Ticket
from intents.faq import Intent

ORDER_KEYS = ("order", "order_notes", "refund")  # what a ticket keeps from the lookup


@dataclass(frozen=True)
class Checked:
    """The conversation after a lookup, what the buyer is told, and whether the turn ends."""

    conv: Conversation
    outs: list[Outgoing] = field(default_factory=list)
    final: bool = False  # answered, asked again, or a remedy carried out: nothing more to ask
    intent: Intent | None = None  # a closer category for the ticket than the buyer's words


def facts(order: Order) -> dict[str, Any]:
    """What the staff card shows of an order: never the code, only its last four."""
    times = {k: getattr(order, k).isoformat() for k in ("paid_at", "delivered_at", "refunded_at")
             if getattr(order, k)}
    return {"status": order.status, "product": order.product, "amount": order.amount,
            "code_tail": order.code_tail, "pay_channel": order.pay_channel,
            "buyer": mask_contact(order.buyer) if order.buyer else "", **times}


def noted(details: dict[str, Any], note: str | None, event: str, **data: Any) -> dict[str, Any]:
    """Details with a note for the agent and an event to record when the ticket exists."""
    notes = [*details.get("order_notes", []), *([note] if note else [])]
    log = [*details.get("order_log", []), {"event": event, "data": data}]
    return {**details, "order_notes": notes, "order_log": log}



def open_handled(k: Kefu, uid: int, intent: Intent, details: dict[str, Any], now: datetime,
                 stage: str, due: datetime | None) -> tuple[Ticket, list[Outgoing]]:
    """A ticket for what kefu did itself: its stage and promise, not the queue's."""
    ticket, outs = tickets.open_ticket(k, uid, intent, details, now)
    fields: dict[str, Any] = {"stage": stage}
    if due is not None:
        fields["promised_at"] = due
    if stage != "受理":  # kefu acted: nobody owes this buyer a first reply any more
        fields["first_reply_at"] = now
    if stage == RESOLVED:
        fields["resolved_at"] = now
    k.store.tickets.update(ticket.id, now, **fields)
    ticket = settle_ticket(k, ticket.id, details, now)
    forwarded = [o for o in outs if o.audience == "staff" and o.kind != "card"]
    return ticket, [tickets.staff_card(k, ticket, now), *forwarded]


def settle_ticket(k: Kefu, ticket_id: int, details: dict[str, Any], now: datetime) -> Ticket:
    """Copy the lookup's findings onto the ticket and record its pending events."""
    t = k.store.tickets.get(ticket_id)
    assert t is not None
    kept = {key: details[key] for key in ORDER_KEYS if details.get(key)}
    k.store.tickets.update(ticket_id, now, details={**t.details, **kept})
    for item in details.get("order_log", []):
        k.store.ticket_events.add(ticket_id, "bot", item["event"], now, **item["data"])
    return k.store.tickets.get(ticket_id)  # type: ignore[return-value]
