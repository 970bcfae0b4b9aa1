"""Correcting an open ticket's details after it opened (the 修改信息 button)."""

from __future__ import annotations

from datetime import datetime

from bot import intake, plain, replies, tickets
from bot.callbacks import Cancel, NoOrder, decode
from bot.kefu import Kefu
from bot.orders import proof
from bot.records import Conversation, Turn
from bot.tickets import to_buyer
from intents.extract import canonical_order_no, extract_order_no, parse_demand_answer
from intents.faq import Intent

FIELD_NAMES = {"order_no": "订单号", "demand": "诉求", "issue": "问题类型"}


def begin_edit(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    """Ask which detail to change, or ask for the new value of the chosen one."""
    uid = conv.user_id
    ticket = tickets.current(k, uid, conv.ticket_id)  # with several open: the one in hand
    if ticket is None:
        return Conversation(uid), [to_buyer(uid, replies.NO_TICKETS)]
    if arg == "done":
        return Conversation(uid, ticket_id=ticket.id), [to_buyer(uid, replies.EDIT_UNCHANGED)]
    if arg not in FIELD_NAMES:
        conv = Conversation(uid, "edit", ticket.intent, {}, (), ticket.id)
        return conv, [to_buyer(uid, replies.WHICH_FIELD, *replies.EDIT_CHOICES)]
    q = intake.question(arg, k.intent(ticket.intent), k.matcher.faq)
    # 不用改了 stands in for 取消, and an order number cannot be corrected to none.
    choices = tuple(c for c in q.choices if not isinstance(decode(c.data), Cancel | NoOrder))
    conv = Conversation(uid, "edit", ticket.intent, {"asking": arg}, (), ticket.id)
    return conv, [to_buyer(uid, q.text, *choices, replies.EDIT_DONE)]


def edit_answer(k: Kefu, conv: Conversation, ticket_id: int, text: str, now: datetime) -> Turn:
    """A typed new value for the field being edited."""
    field = conv.details.get("asking")
    if field == "order_no":
        order_no = canonical_order_no(text, k.config.order_pattern) or \
            extract_order_no(text, k.config.order_pattern)
        if order_no is None:
            return conv, [to_buyer(conv.user_id, replies.bad_order_no(text))]
        return edit_field(k, conv, "order_no", order_no, now)
    if field == "demand":
        demand, words = parse_demand_answer(text)
        return edit_field(k, conv, "demand", demand, now, words if demand == "其他" else None)
    if field == "issue":
        intent = k.intent(k.understand(text).decision.intent)
        if intent and intent.id not in intake.GENERIC:
            return edit_issue(k, conv, intent, now)
    return begin_edit(k, conv, "", now)


def edit_field(k: Kefu, conv: Conversation, field: str, value: str, now: datetime,
               words: str | None = None) -> Turn:
    """Store the corrected value, tell the buyer and the agent."""
    changes: dict[str, object] = {field: value}
    if field == "demand":
        changes["demand_text"] = words
    return _apply(k, conv, changes, now)


def edit_issue(k: Kefu, conv: Conversation, intent: Intent, now: datetime) -> Turn:
    """Change the ticket's category (its promise stays as made)."""
    return _apply(k, conv, {"intent": intent.id, "title": intent.label}, now)


def _apply(k: Kefu, conv: Conversation, changes: dict[str, object], now: datetime) -> Turn:
    ticket = tickets.current(k, conv.user_id, conv.ticket_id)
    if ticket is None:
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.NO_TICKETS)]
    k.store.tickets.update(ticket.id, now, **changes)
    k.store.ticket_events.add(ticket.id, "buyer", "edited", now, **changes)
    shown = ", ".join(f"{FIELD_NAMES.get(f, f)}: {plain.one_line(str(v))}"
                      for f, v in changes.items() if f in FIELD_NAMES and v)
    staff = [tickets.to_staff(ticket.id, f"买家修改了信息: {shown}")]
    if changes.get("order_no") and changes["order_no"] != ticket.order_no:
        staff += proof.recheck(k, ticket, str(changes["order_no"]), now)  # proven, not trusted
    updated = k.store.tickets.get(ticket.id)
    return Conversation(conv.user_id, ticket_id=ticket.id), [
        to_buyer(conv.user_id, replies.edited(updated), replies.EDIT,  # type: ignore[arg-type]
                 replies.STATUS, ticket_id=ticket.id), *staff]
