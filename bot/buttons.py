"""Buyer button presses (or typed choice numbers): validate, then act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot import flow, matters, ratings, reopen, replies, tickets, words
from bot import matter_replies as mr
from bot.callbacks import (
    Cancel,
    Demand,
    Edit,
    Feedback,
    Human,
    Issue,
    NewIssue,
    NoOrder,
    Pick,
    Rate,
    Reopen,
    Status,
    Supplement,
    Withdraw,
    decode,
)
from bot.edit import begin_edit, edit_field, edit_issue
from bot.kefu import Kefu
from bot.records import Conversation, Turn
from bot.tickets import to_buyer

# Valid whatever was offered last: old messages keep these buttons.
ALWAYS = (Status(), Human(), Edit())
# Valid on any old message too, because the handler checks the ticket is the buyer's own.
OWNED = (Rate, Reopen)


def button(k: Kefu, conv: Conversation, data: str, now: datetime) -> Turn:
    """Act on a choice; data not offered to this buyer (forged, stale) changes nothing."""
    cb = decode(data)
    offered = {decode(c.data) for c in conv.offered}
    handler = _HANDLERS.get(type(cb))
    if handler is None or not (cb in offered or cb in ALWAYS or isinstance(cb, OWNED)):
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    return handler(k, conv, cb, now)


def _feedback(k: Kefu, conv: Conversation, cb: Feedback, now: datetime) -> Turn:
    if cb.answer == "yes":
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.SOLVED_THANKS)]
    if cb.answer == "wait":  # waiting out a channel notice: the all-clear will come by itself
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.NOTICE_WAIT)]
    return flow.human(k, conv, now)


def _human(k: Kefu, conv: Conversation, cb: Human, now: datetime) -> Turn:
    return flow.human(k, conv, now)


def _pick(k: Kefu, conv: Conversation, cb: Pick, now: datetime) -> Turn:
    intent = k.intent(cb.intent)
    if intent is None:
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    return flow.answer_intent(k, conv, intent, dict(conv.details), now)


def _issue(k: Kefu, conv: Conversation, cb: Issue, now: datetime) -> Turn:
    intent = k.intent(cb.intent)
    if intent is None:
        return conv, [to_buyer(conv.user_id, replies.STALE_BUTTON)]
    if conv.step == "edit":
        return edit_issue(k, conv, intent, now)
    details = dict(conv.details)
    if intent.id == "contact_human":  # 其他问题: the buyer's own words, passed on as they are
        asked = Conversation(conv.user_id, "intake", intent.id, {**details, "asking": "issue"})
        return asked, [to_buyer(conv.user_id, mr.ASK_DESCRIBE, replies.CANCEL)]
    conv = replace(conv, intent=intent.id, details=details)
    return flow.start_intake(k, conv.user_id, intent, details, now)


def _no_order(k: Kefu, conv: Conversation, cb: NoOrder, now: datetime) -> Turn:
    details = {**conv.details, "no_order": True}
    return flow.advance(k, replace(conv, details=details), k.intent(conv.intent), now)


def _demand(k: Kefu, conv: Conversation, cb: Demand, now: datetime) -> Turn:
    if conv.step == "edit":
        return edit_field(k, conv, "demand", cb.demand, now)
    details = {**conv.details, "demand": cb.demand}
    return flow.advance(k, replace(conv, details=details), k.intent(conv.intent), now)


def _cancel(k: Kefu, conv: Conversation, cb: Cancel, now: datetime) -> Turn:
    return flow.cancel(k, conv, now)


def _status(k: Kefu, conv: Conversation, cb: Status, now: datetime) -> Turn:
    return conv, [tickets.status(k, conv.user_id, now)]


def _edit(k: Kefu, conv: Conversation, cb: Edit, now: datetime) -> Turn:
    return begin_edit(k, conv, cb.field, now)


def _withdraw(k: Kefu, conv: Conversation, cb: Withdraw, now: datetime) -> Turn:
    return words.withdraw(k, conv, cb.ticket_id, now)


def _supplement(k: Kefu, conv: Conversation, cb: Supplement, now: datetime) -> Turn:
    return matters.supplement(k, conv, cb.ticket_id, now)


def _rate(k: Kefu, conv: Conversation, cb: Rate, now: datetime) -> Turn:
    return ratings.rate(k, conv, cb.ticket_id, cb.stars, now)


def _reopen(k: Kefu, conv: Conversation, cb: Reopen, now: datetime) -> Turn:
    return reopen.reopen(k, conv, cb.ticket_id, now, conv.details.get("text", ""))


def _new_issue(k: Kefu, conv: Conversation, cb: NewIssue, now: datetime) -> Turn:
    text = conv.details.get("text", "")
    if not text:
        return Conversation(conv.user_id), [to_buyer(conv.user_id, replies.WELCOME)]
    return flow.route(k, Conversation(conv.user_id), text, now)


# Staff kinds have no entry: pressed in a buyer's chat they are stale, like junk.
_HANDLERS: dict[type, Callable[[Kefu, Conversation, Any, datetime], Turn]] = {
    Rate: _rate, Reopen: _reopen, NewIssue: _new_issue, Feedback: _feedback, Human: _human,
    Pick: _pick, Issue: _issue, NoOrder: _no_order, Demand: _demand, Cancel: _cancel,
    Status: _status, Withdraw: _withdraw, Edit: _edit, Supplement: _supplement}
