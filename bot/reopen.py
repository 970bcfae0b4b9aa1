"""Reopening a resolved ticket within reopen_days: by its button, or by writing about it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot import plain, replies, tickets
from bot.callbacks import NewIssue, Reopen, choice
from bot.kefu import Kefu
from bot.records import RESOLVED, Conversation, Ticket, Turn
from bot.tickets import own_resolved, to_buyer, to_staff

# Words that say "the old problem is back" rather than "here is a new one".
_AGAIN = re.compile(r"还是|又|没解决|没有解决|还没好|不行|依然|仍然|重新打开")


def reopen(k: Kefu, conv: Conversation, ticket_id: int, now: datetime,
           reason: str = "") -> Turn:
    """Reopen the buyer's own recently resolved ticket: same number, same history."""
    ticket = own_resolved(k, conv.user_id, ticket_id)
    if ticket is None or not _within_window(k, ticket, now):
        return conv, [to_buyer(conv.user_id, replies.REOPEN_TOO_LATE.format(
            days=k.config.reopen_days))]
    p = tickets.promise(k, ticket.tier, now)
    k.store.tickets.update(ticket.id, now, stage="受理", resolved_at=None, promised_at=p.due,
                           owner="agent" if ticket.agent_id else "bot")
    k.store.ticket_events.add(ticket.id, "buyer", "reopened", now, reason=reason[:500],
                              promised_at=p.due.isoformat())
    again = k.store.tickets.get(ticket.id)
    assert again is not None
    return Conversation(conv.user_id, ticket_id=ticket.id), [
        to_buyer(conv.user_id, replies.reopened(again, now), replies.STATUS, ticket_id=ticket.id),
        to_staff(ticket.id, f"🔁 买家重新打开了 #{ticket.number}"
                 + (f": {plain.one_line(reason)}" if reason else "")),
        *tickets.refresh(k, ticket, again, now)]


def _within_window(k: Kefu, t: Ticket, now: datetime) -> bool:
    done = t.resolved_at or t.updated_at or t.created_at
    return now - done <= timedelta(days=k.config.reopen_days)


def recent_resolved(k: Kefu, user_id: int, now: datetime) -> Ticket | None:
    """The buyer's latest ticket if it was resolved inside the reopen window."""
    latest = next(iter(k.store.tickets.latest_of(user_id, 1)), None)
    if latest is None or latest.stage != RESOLVED or not _within_window(k, latest, now):
        return None
    return latest


def about_resolved(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """A message about a recently resolved ticket: reopen it, or ask whether it is new."""
    ticket = recent_resolved(k, conv.user_id, now)
    if ticket is None:
        return None
    if ticket.order_no and ticket.order_no in _compact(text):
        return reopen(k, conv, ticket.id, now, text)
    if not _AGAIN.search(text):
        return None
    conv = Conversation(conv.user_id, "reopen_offer", ticket.intent, {"text": text[:500]})
    return conv, [to_buyer(conv.user_id, replies.same_problem_again(ticket),
                           choice(f"是, 重新打开 #{ticket.number}", Reopen(ticket.id)),
                           choice("不是, 这是新问题", NewIssue()))]


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_]", "", text).upper()
