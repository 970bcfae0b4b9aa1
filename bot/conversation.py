"""The buyer side: from a message to a reply, a question or a ticket.

`handle` is the only entry point. It runs one transaction: record what the
buyer sent, decide, change state, and put every reply in the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot import (
    chase,
    flow,
    follow_ups,
    guard,
    matters,
    proving,
    ratings,
    reopen,
    replies,
    retention,
    tickets,
    words,
)
from bot import matter_replies as mr
from bot.buttons import button
from bot.callbacks import typed_keys
from bot.edit import edit_answer
from bot.events import READABLE, ButtonPressed, BuyerBurst, BuyerCommand, BuyerEvent, BuyerSaid
from bot.kefu import Kefu
from bot.orders import ownership
from bot.outbox import deliver
from bot.records import Conversation, Outgoing, Turn
from bot.tickets import evidence_to_staff, to_buyer


def handle(k: Kefu, event: BuyerEvent, inbox_ids: Sequence[int] = ()) -> list[Outgoing]:
    """Process one buyer event atomically; return what was queued for delivery.

    `inbox_ids` are the stored arrivals this event was built from (bot/inbox.py); they
    are marked handled in the same transaction, so a crash replays them, once.
    """
    now = k.now()
    with k.store.transaction():
        if inbox_ids:
            k.store.inbox.done(list(inbox_ids))
        unseen = _unseen(k, event, now)
        if unseen is None:
            return []  # already handled: the messenger delivered this update twice
        event = unseen
        k.store.users.ensure(event.user_id, event.name or str(event.user_id), now)
        conv = k.store.conversations.get(event.user_id)
        # A proof (email, 查询密码) is compared, never kept: the transcript and card show a mark.
        recorded = _record_in(k, event, now, hide=conv.step == ownership.STEP)
        held = guard.screen(k, event.user_id, now)  # a flood or a blocked buyer: not read
        if held is not None:
            # Counted (the flood limit reads the rows) but not kept: one abusive account
            # must not grow the database with its texts (bot/retention.py).
            k.store.messages.forget_texts(recorded, retention.HELD)
            return deliver(k.store, held, now)
        conv, outs = _dispatch(k, conv, event, now)
        k.store.conversations.save(conv, now)
        return deliver(k.store, outs, now)  # also notes what is on screen (bot/outbox.py)


def _unseen(k: Kefu, event: BuyerEvent, now: datetime) -> BuyerEvent | None:
    """The event without the parts already handled once; None if nothing is new."""
    if isinstance(event, BuyerBurst):
        fresh = tuple(e for e in event.events
                      if not e.event_id or k.store.inbox.first_time(e.event_id, now))
        if len(fresh) > 1:
            return BuyerBurst(fresh)
        return fresh[0] if fresh else None
    if event.event_id and not k.store.inbox.first_time(event.event_id, now):
        return None
    return event


def _record_in(k: Kefu, event: BuyerEvent, now: datetime, hide: bool = False) -> list[int]:
    """Put the event in the transcript (`hide`: a text only as a mark); the ids written."""
    ticket = k.store.tickets.open_of(event.user_id)
    tid = ticket.id if ticket else None
    if isinstance(event, BuyerBurst):
        return [i for part in event.events for i in _record_in(k, part, now, hide)]
    if isinstance(event, BuyerSaid):
        text = ownership.HIDDEN if hide and event.kind == "text" else event.text
        return [k.store.messages.record(event.user_id, "in", "buyer", text, now, tid,
                                        event.kind, file_id=event.file_id)]
    if isinstance(event, ButtonPressed):
        return [k.store.messages.record(event.user_id, "in", "buyer", event.data, now, tid,
                                        "button")]
    return [k.store.messages.record(event.user_id, "in", "buyer",
                                    f"/{event.command} {event.args}", now, tid, "command")]


def _dispatch(k: Kefu, conv: Conversation, event: BuyerEvent, now: datetime) -> Turn:
    if isinstance(event, BuyerCommand):
        return _command(k, conv, event.command, now)
    if isinstance(event, ButtonPressed):
        return button(k, conv, event.data, now)
    if isinstance(event, BuyerBurst):
        return _burst(k, conv, event, now)
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
    # isdecimal, not isdigit: int() rejects "²" and "①"; short: int() refuses 4300+ digits.
    key = str(int(text)) if len(text) <= 3 and text.isdecimal() else text  # "２" is 2
    keys = typed_keys(conv.offered)
    return conv.offered[keys.index(key)].data if key in keys else None


def _text(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn:
    if conv.step == ownership.STEP and not proving.giving_up(text):  # contact, email, 查询密码
        return proving.answer(k, conv, text, now)
    typed = words.read(k, conv, text, now)  # a button's words: 撤销, 五星, 算了, 转人工
    if typed is not None:
        return typed
    ticket = k.store.tickets.open_of(conv.user_id)
    if conv.step == "edit" and ticket:
        return edit_answer(k, conv, ticket.id, text, now)
    if conv.step == "intake":
        return flow.intake_answer(k, conv, text, now)
    if conv.step == "feedback" and chase.is_chase(text) and ticket is None:  # else: the ticket
        chased = chase.after_answer(k, conv, text, now)
        if chased is not None:
            return chased
    if conv.step == "rating_comment":  # words right after the stars belong to them
        commented = ratings.comment(k, conv, text, now)
        if commented:
            return commented
    routed = matters.route(k, conv, text, now)  # open tickets: join one, or a new matter
    if routed is not None:
        return routed
    return reopen.about_resolved(k, conv, text, now) or flow.route(k, conv, text, now)


def _burst(k: Kefu, conv: Conversation, burst: BuyerBurst, now: datetime) -> Turn:
    """An album or a run of forwards: keep every file, then read all the words at once."""
    files = [e for e in burst.events if e.kind != "text"]
    text = "\n".join(t for e in burst.events if (t := e.text.strip()))
    if not text and not files:
        return conv, [to_buyer(conv.user_id, replies.EMPTY)]
    staff: list[Outgoing] = []
    for item in files if text else files[:-1]:
        conv, shown = _attach(k, conv, item, now)
        staff += shown
    if not text:  # only files: the last one answers for the whole album
        conv, outs = _evidence(k, conv, files[-1], now)
        return conv, staff + outs
    conv, outs = _text(k, conv, text, now)
    return conv, staff + outs


def _attach(k: Kefu, conv: Conversation, event: BuyerSaid,
            now: datetime) -> tuple[Conversation, list[Outgoing]]:
    """Keep a file as evidence: on the open ticket (shown to staff), else for the next one."""
    item = {"kind": event.kind, "file_id": event.file_id, "caption": event.text[:500]}
    ticket = tickets.current(k, conv.user_id, conv.ticket_id)
    if ticket:
        evidence = [*ticket.details.get("evidence", []), item]
        k.store.tickets.update(ticket.id, now, details={**ticket.details, "evidence": evidence})
        k.store.ticket_events.add(ticket.id, "buyer", "evidence", now, **item)
        return conv, [evidence_to_staff(ticket.id, item)]
    details = dict(conv.details)
    details["evidence"] = [*details.get("evidence", []), item]
    return replace(conv, details=details), []


def _evidence(k: Kefu, conv: Conversation, event: BuyerSaid, now: datetime) -> Turn:
    """A screenshot or file: attach it to the open ticket, or keep it for the next one."""
    conv, _ = _attach(k, conv, event, now)  # follow_ups.join below shows it to staff
    ticket = tickets.current(k, conv.user_id, conv.ticket_id)
    if ticket:
        return conv, follow_ups.join(k, ticket, event.text or "", event.kind, now, {},
                                  event.file_id)
    if conv.step == "intake":
        note = to_buyer(conv.user_id, replies.EVIDENCE_KEPT)
        turn_conv, outs = flow.advance(k, conv, k.intent(conv.intent), now)
        return turn_conv, [note, *outs]
    if event.text.strip():
        return _text(k, conv, event.text.strip(), now)
    return conv, [to_buyer(conv.user_id, replies.EVIDENCE_WHAT_PROBLEM)]


def _command(k: Kefu, conv: Conversation, command: str, now: datetime) -> Turn:
    uid = conv.user_id
    if command == "start":
        return Conversation(uid), [to_buyer(uid, replies.WELCOME)]
    if command == "help":  # what can be typed, without losing the question being asked
        return conv, [to_buyer(uid, mr.HELP)]
    if command == "status":
        ticket = tickets.current(k, conv.user_id, conv.ticket_id)
        chased = chase.record_chase(k, ticket, now) if ticket else []
        return conv, [tickets.status(k, uid, now), *chased]
    if command == "cancel":
        return flow.cancel(k, conv, now)
    if command == "human":
        return flow.human(k, conv, now)
    return conv, [to_buyer(uid, replies.unknown_command(command))]
