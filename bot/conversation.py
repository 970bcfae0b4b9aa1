"""The buyer side: from a message to a reply, a question or a ticket.

`handle` is the only entry point. It runs one transaction: record what the
buyer sent, decide, change state, and put every reply in the outbox.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from bot import aftercare, chase, flow, replies, tickets
from bot.buttons import button
from bot.edit import edit_answer
from bot.events import READABLE, ButtonPressed, BuyerCommand, BuyerEvent, BuyerSaid
from bot.flow import Turn
from bot.kefu import Kefu
from bot.outbox import deliver
from bot.records import Conversation, Outgoing, Ticket
from bot.tickets import to_buyer

_CANCEL = re.compile(r"^\s*(取消|算了|不用了|cancel|退出)\s*[。.!！]*\s*$", re.I)


def handle(k: Kefu, event: BuyerEvent) -> list[Outgoing]:
    """Process one buyer event atomically; return what was queued for delivery."""
    now = k.now()
    with k.store.transaction():
        if event.event_id and not k.store.first_time(event.event_id, now):
            return []  # already handled: the messenger delivered this update twice
        k.store.ensure_user(event.user_id, event.name or str(event.user_id), now)
        _record_in(k, event, now)
        conv, outs = _dispatch(k, k.store.conversation(event.user_id), event, now)
        buyer_outs = [o for o in outs if o.audience == "user"]
        if buyer_outs:
            conv = replace(conv, offered=buyer_outs[-1].choices)
        k.store.save_conversation(conv, now)
        return deliver(k.store, outs, now)


def _record_in(k: Kefu, event: BuyerEvent, now: datetime) -> None:
    ticket = k.store.open_ticket_of(event.user_id)
    tid = ticket.id if ticket else None
    if isinstance(event, BuyerSaid):
        k.store.record_message(event.user_id, "in", "buyer", event.text, now, tid, event.kind,
                               file_id=event.file_id)
    elif isinstance(event, ButtonPressed):
        k.store.record_message(event.user_id, "in", "buyer", event.data, now, tid, "button")
    else:
        k.store.record_message(event.user_id, "in", "buyer", f"/{event.command} {event.args}",
                               now, tid, "command")


def _dispatch(k: Kefu, conv: Conversation, event: BuyerEvent, now: datetime) -> Turn:
    if isinstance(event, BuyerCommand):
        return _command(k, conv, event.command, now)
    if isinstance(event, ButtonPressed):
        return button(k, conv, event.data, now)
    if event.kind not in READABLE:
        return conv, [to_buyer(conv.user_id, replies.not_text(event.kind))]
    if event.kind != "text":
        return _evidence(k, conv, event, now)
    text = event.text.strip()
    if not text:
        return conv, [to_buyer(conv.user_id, replies.EMPTY)]
    picked = _numbered(conv, text)
    if picked is not None:
        return button(k, conv, picked, now)
    return _text(k, conv, text, now)


def _numbered(conv: Conversation, text: str) -> str | None:
    """A typed "2" picks the second offered choice, as in the console."""
    if text.isdigit() and 1 <= int(text) <= len(conv.offered):
        return conv.offered[int(text) - 1].data
    return None


def _text(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn:
    if _CANCEL.match(text):
        return flow.cancel(k, conv, now)
    ticket = k.store.open_ticket_of(conv.user_id)
    if conv.step == "edit" and ticket:
        return edit_answer(k, conv, ticket.id, text, now)
    if conv.step == "intake":
        return flow.intake_answer(k, conv, text, now)
    if ticket:
        found = flow.extracted(k, text)
        idle = Conversation(conv.user_id)
        return idle, tickets.join(k, ticket, text, "text", now, found)
    other = _ticket_for_order(k, conv.user_id, text)
    if other is not None:
        return Conversation(conv.user_id), chase.join_from_other(k, other, conv.user_id, text, now)
    if conv.step == "rating_comment":
        turn = aftercare.comment(k, conv, text, now)
        if turn:
            return turn
    return aftercare.about_resolved(k, conv, text, now) or flow.route(k, conv, text, now)


def _ticket_for_order(k: Kefu, user_id: int, text: str) -> Ticket | None:
    """Another buyer's open ticket about the order number in this text."""
    order_no = flow.extracted(k, text).get("order_no")
    ticket = k.store.open_ticket_by_order(order_no) if order_no else None
    return ticket if ticket and ticket.user_id != user_id else None


def _evidence(k: Kefu, conv: Conversation, event: BuyerSaid, now: datetime) -> Turn:
    """A screenshot or file: attach it to the open ticket, or keep it for the next one."""
    item = {"kind": event.kind, "file_id": event.file_id, "caption": event.text[:500]}
    ticket = k.store.open_ticket_of(conv.user_id)
    if ticket:
        evidence = [*ticket.details.get("evidence", []), item]
        k.store.update_ticket(ticket.id, now, details={**ticket.details, "evidence": evidence})
        k.store.add_event(ticket.id, "buyer", "evidence", now, **item)
        return conv, tickets.join(k, ticket, event.text or "", event.kind, now, {},
                                  event.file_id)
    details = dict(conv.details)
    details["evidence"] = [*details.get("evidence", []), item]
    conv = replace(conv, details=details)
    if conv.step == "intake":
        note = to_buyer(conv.user_id, "截图收到了, 会附在工单里给客服看。")
        turn_conv, outs = flow.advance(k, conv, k.intent(conv.intent), now)
        return turn_conv, [note, *outs]
    if event.text.strip():
        return _text(k, conv, event.text.strip(), now)
    return conv, [to_buyer(conv.user_id, "截图收到了 👍 请再用一句话说一下遇到的问题, "
                                          "比如「卡密没收到」。")]


def _command(k: Kefu, conv: Conversation, command: str, now: datetime) -> Turn:
    uid = conv.user_id
    if command in ("start", "help"):
        keep = conv if command == "help" else Conversation(uid)
        return keep, [to_buyer(uid, replies.WELCOME)]
    if command == "status":
        ticket = k.store.open_ticket_of(uid)
        chased = chase.record_chase(k, ticket, now) if ticket else []
        return conv, [tickets.status(k, uid, now), *chased]
    if command == "cancel":
        return flow.cancel(k, conv, now)
    if command == "human":
        return flow.human(k, conv, now)
    return conv, [to_buyer(uid, f"不认识 /{command[:20]} 这个命令。\n" + replies.WELCOME)]
