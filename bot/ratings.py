"""Ratings after a ticket is resolved: the stars, a comment, and the low-rating alert."""

from __future__ import annotations

from datetime import datetime

from bot import escalation, plain, replies
from bot.callbacks import Rate, Reopen, choice
from bot.kefu import Kefu
from bot.records import RESOLVED, Choice, Conversation, Outgoing, Ticket, Turn
from bot.tickets import own_resolved, to_buyer, to_staff

LOW_RATING = 2  # this many stars or fewer alerts the supervisors on duty
# A comment is free text; these intents mean the buyer moved on to something new.
_NOT_A_COMMENT_KINDS = ("answer",)
_COMMENT_INTENTS = ("thanks", "goodbye", "greeting", "none", "complaint")


def rating_choices(t: Ticket) -> tuple[Choice, ...]:
    """Five stars, then reopen."""
    stars = tuple(choice("⭐" * n, Rate(t.id, n)) for n in range(5, 0, -1))
    return (*stars, choice("问题没解决, 重新打开", Reopen(t.id)))


def resolved_message(k: Kefu, t: Ticket) -> Outgoing:
    """The buyer's 'resolved' push, with the rating and reopen buttons."""
    text = replies.stage_push(t, RESOLVED, k.config.reopen_days) + "\n" + replies.RATE_ASK
    return to_buyer(t.user_id, text, *rating_choices(t), ticket_id=t.id)


def rate(k: Kefu, conv: Conversation, ticket_id: int, stars: int, now: datetime) -> Turn:
    """Store 1-5 stars; a low rating alerts supervisors."""
    ticket = own_resolved(k, conv.user_id, ticket_id)
    if ticket is None or not 1 <= stars <= 5:
        return conv, [to_buyer(conv.user_id, replies.NOT_YOURS)]
    if ticket.details.get("rating"):
        return conv, [to_buyer(conv.user_id, replies.ALREADY_RATED)]
    k.store.tickets.update(ticket.id, now, details={**ticket.details, "rating": stars})
    k.store.ticket_events.add(ticket.id, "buyer", "rated", now, stars=stars)
    outs = [to_buyer(conv.user_id, replies.RATE_THANKS)]
    if stars <= LOW_RATING:
        outs.append(to_staff(ticket.id, low_rating_alert(k, ticket, stars)))
    return Conversation(conv.user_id, "rating_comment", None, {"ticket_id": ticket.id}), outs


def low_rating_alert(k: Kefu, t: Ticket, stars: int) -> str:
    """Terse staff alert naming the supervisors on duty."""
    supervisors = ", ".join(escalation.supervisors_on_duty(k)) or "主管"
    return f"⚠️ #{t.number} 收到 {stars} 星低分评价, 请 {supervisors} 跟进回访。"


def comment(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """Keep the text as the rating's comment, unless it is plainly a new question."""
    u = k.understand(text)
    if u.decision.kind in _NOT_A_COMMENT_KINDS and u.decision.intent not in _COMMENT_INTENTS:
        return None
    ticket = k.store.tickets.get(int(conv.details.get("ticket_id", 0)))
    if ticket is None:
        return None
    k.store.tickets.update(ticket.id, now,
                           details={**ticket.details, "rating_comment": text[:500]})
    k.store.ticket_events.add(ticket.id, "buyer", "rating_comment", now, text=text[:500])
    outs = [to_buyer(conv.user_id, replies.COMMENT_THANKS),
            to_staff(ticket.id, f"买家评价留言: {plain.one_line(text, 500)}")]
    return Conversation(conv.user_id), outs
