"""Order numbers are proven, not trusted: one home for a number set after a ticket opened.

The first message's number is looked up in intake (lookup.check, remedy.decide). A number
that reaches an open ticket later, typed as a follow-up (补充) or corrected through 修改信息,
goes through `recheck`: a refund waiting for another number is voided, the order is looked
up again (calls.lookup: local or remote alike), and its owner is checked. The card shows
what the shop says; the buyer is told nothing more than before, whoever owns the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import same_order, tickets
from bot.kefu import Kefu
from bot.orders import BackendError, calls, owned_by
from bot.orders.backend import backend_for
from bot.orders.card import changed_text
from bot.orders.refunds import void
from bot.orders.ticketing import facts
from bot.outbox import to_staff
from bot.records import Outgoing, Ticket
from bot.remedy import mismatch_note


def recheck(k: Kefu, ticket: Ticket, order_no: str, now: datetime) -> list[Outgoing]:
    """After the ticket's order number became `order_no`: void a refund bound to another
    number, look the order up, check whose it is; staff see the outcome on the card."""
    t = k.store.tickets.get(ticket.id) or ticket  # the caller may hold it from before the change
    details, notes, fields = dict(t.details), [], {}
    voided = void(details, order_no)
    if voided is not None:
        details = voided
        notes.append(changed_text(details["refund"]))
        k.store.ticket_events.add(t.id, "bot", "refund_voided", now,
                                  was=details["refund"].get("order_no"), order_no=order_no)
    if backend_for(k) is not None:
        found, mine, note = _look_up(k, t, order_no, now)
        details["order"] = found
        if mine and isinstance(found.get("amount"), int | float):
            fields["amount"] = found["amount"]  # the owner's own order: the shop's sum is true
        notes += [note] if note else []
    details = same_order.flag(k, t.user_id, order_no, details)
    newly = details.get(same_order.FLAG) != t.details.get(same_order.FLAG)
    details["order_notes"] = [*details.get("order_notes", []), *notes]
    k.store.tickets.update(t.id, now, details=details, **fields)
    fresh = k.store.tickets.get(t.id)
    assert fresh is not None
    told = [to_staff(t.id, "\n".join(n if n.startswith("⚠️") else f"⚠️ {n}" for n in notes))]
    return [*(told if notes else []), *(same_order.tell_other(k, fresh, now) if newly else []),
            tickets.staff_card(k, fresh, now)]


def _look_up(k: Kefu, t: Ticket, order_no: str, now: datetime
             ) -> tuple[dict[str, Any], bool, str | None]:
    """What the card shows of the order, whether it is this buyer's, and the agent's note
    when it is not plainly theirs."""
    try:
        order = calls.lookup(k, order_no)
    except BackendError as exc:
        k.store.ticket_events.add(t.id, "bot", "order_lookup_failed", now, reason=str(exc)[:200])
        return ({"unavailable": True}, False,
                f"订单系统查询失败 ({str(exc)[:120]}), 请人工核实单号 {order_no}")
    mine = order is not None and (not k.config.orders.check_owner or owned_by(order, t.user_id)
                                  or k.store.order_proofs.proven(t.user_id, order_no))
    outcome = "owner" if mine else ("mismatch" if order else "not_found")
    k.store.orders.record_check(t.user_id, order_no, t.intent, order.status if order else None,
                                f"recheck/{outcome}", now)
    k.store.ticket_events.add(t.id, "bot", "order_recheck", now, order_no=order_no,
                              outcome=outcome)
    if order is None:
        return {"found": False}, False, f"订单系统查不到单号 {order_no} (买家后来补充或修改的单号)"
    return facts(order), mine, None if mine else mismatch_note(order, t.user_id)
