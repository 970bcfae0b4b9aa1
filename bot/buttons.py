"""Buyer button presses (or typed choice numbers): validate, then act."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import flow, ratings, reopen, replies, tickets
from bot.edit import begin_edit, edit_field, edit_issue
from bot.kefu import Kefu
from bot.records import CLOSED, Conversation, Turn
from bot.tickets import to_buyer

# Valid whatever was offered last: old messages keep these buttons.
ALWAYS = ("status", "human", "edit")
# Valid on any old message too, because the handler checks the ticket is the buyer's own.
OWNED = ("rate", "reopen")


def button(k: Kefu, conv: Conversation, data: str, now: datetime) -> Turn:
    """Act on a choice; data not offered to this buyer (forged, stale) changes nothing."""
    offered = {c.data for c in conv.offered}
    kind = data.partition(":")[0]
    if data not in offered and data not in ALWAYS and kind not in OWNED:
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    kind, _, arg = data.partition(":")
    handler = _HANDLERS.get(kind)
    if handler is None:
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    return handler(k, conv, arg, now)


def _feedback(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    if arg == "yes":
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.SOLVED_THANKS)]
    if arg == "wait":  # waiting out a channel notice: the all-clear will come by itself
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.NOTICE_WAIT)]
    return flow.human(k, conv, now)


def _human(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    return flow.human(k, conv, now)


def _pick(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    intent = k.intent(arg)
    if intent is None:
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    return flow.answer_intent(k, conv, intent, dict(conv.details), now)


def _issue(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    intent = k.intent(arg)
    if intent is None:
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    if conv.step == "edit":
        return edit_issue(k, conv, intent, now)
    details = dict(conv.details)
    if intent.id == "contact_human":
        details["issue"] = "其他问题"
    conv = replace(conv, intent=intent.id, details=details)
    return flow.start_intake(k, conv.user_id, intent, details, now)


def _no_order(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    details = {**conv.details, "no_order": True}
    return flow.advance(k, replace(conv, details=details), k.intent(conv.intent), now)


def _demand(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    if conv.step == "edit":
        return edit_field(k, conv, "demand", arg, now)
    details = {**conv.details, "demand": arg}
    return flow.advance(k, replace(conv, details=details), k.intent(conv.intent), now)


def _cancel(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    return flow.cancel(k, conv, now)


def _status(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    return conv, [tickets.status(k, conv.user_id, now)]


def _withdraw(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    ticket = k.store.open_ticket_of(conv.user_id)
    if ticket is None or str(ticket.id) != arg:
        return conv, [to_buyer(conv.user_id, replies.NOT_YOURS)]
    k.store.update_ticket(ticket.id, now, stage=CLOSED, resolved_at=now)
    k.store.add_event(ticket.id, "buyer", "withdrawn", now)
    return Conversation(conv.user_id), [
        to_buyer(conv.user_id, replies.withdrawn(ticket)),
        tickets.to_staff(ticket.id, f"买家撤销了工单 #{ticket.number}")]


def _rate(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    return ratings.rate(k, conv, arg, now)


def _reopen(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    return reopen.reopen(k, conv, arg, now, conv.details.get("text", ""))


def _new_issue(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    text = conv.details.get("text", "")
    if not text:
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.WELCOME)]
    return flow.route(k, Conversation(conv.user_id), text, now)


_HANDLERS = {"rate": _rate, "reopen": _reopen, "newissue": _new_issue, "fb": _feedback,
             "human": _human, "pick": _pick, "issue": _issue, "no_order": _no_order,
             "demand": _demand, "cancel": _cancel, "status": _status, "withdraw": _withdraw,
             "edit": begin_edit}
