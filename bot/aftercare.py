"""After a ticket is resolved: the rating, its comment, and reopening the same ticket."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot import replies, tickets
from bot.flow import Turn
from bot.kefu import Kefu
from bot.records import RESOLVED, Choice, Conversation, Outgoing, Ticket
from bot.tickets import to_buyer, to_staff

LOW_RATING = 2
# Words that say "the old problem is back" rather than "here is a new one".
_AGAIN = re.compile(r"还是|又|没解决|没有解决|还没好|不行|依然|仍然|重新打开")
# A comment is free text; these intents mean the buyer moved on to something new.
_NOT_A_COMMENT_KINDS = ("answer",)
_COMMENT_INTENTS = ("thanks", "goodbye", "greeting", "none", "complaint")


def rating_choices(t: Ticket) -> tuple[Choice, ...]:
    """Five stars, then reopen."""
    stars = tuple(Choice("⭐" * n, f"rate:{t.id}:{n}") for n in range(5, 0, -1))
    return (*stars, Choice("问题没解决, 重新打开", f"reopen:{t.id}"))


def resolved_message(k: Kefu, t: Ticket) -> Outgoing:
    """The buyer's 'resolved' push, with the rating and reopen buttons."""
    text = replies.stage_push(t, RESOLVED, k.config.reopen_days) + "\n" + replies.RATE_ASK
    return to_buyer(t.user_id, text, *rating_choices(t), ticket_id=t.id)


def own_resolved(k: Kefu, user_id: int, ref: str) -> Ticket | None:
    """The buyer's own resolved ticket with this id, else None (forged or someone else's)."""
    # isdecimal, not isdigit: forged data such as "rate:¹:5" must not reach int().
    ticket = k.store.ticket(int(ref)) if ref.isdecimal() and len(ref) <= 18 else None
    if ticket is None or ticket.user_id != user_id or ticket.is_open:
        return None
    return ticket


def rate(k: Kefu, conv: Conversation, arg: str, now: datetime) -> Turn:
    """Store 1-5 stars; a low rating alerts supervisors."""
    ref, _, stars = arg.partition(":")
    ticket = own_resolved(k, conv.user_id, ref)
    if ticket is None or stars not in ("1", "2", "3", "4", "5"):
        return conv, [to_buyer(conv.user_id, replies.NOT_YOURS)]
    if ticket.details.get("rating"):
        return conv, [to_buyer(conv.user_id, replies.ALREADY_RATED)]
    k.store.update_ticket(ticket.id, now, details={**ticket.details, "rating": int(stars)})
    k.store.add_event(ticket.id, "buyer", "rated", now, stars=int(stars))
    outs = [to_buyer(conv.user_id, replies.RATE_THANKS)]
    if int(stars) <= LOW_RATING:
        outs.append(to_staff(ticket.id, _low_rating_alert(k, ticket, int(stars))))
    return Conversation(conv.user_id, "rating_comment", None, {"ticket_id": ticket.id}), outs


def _low_rating_alert(k: Kefu, t: Ticket, stars: int) -> str:
    supervisors = [a.name for a in k.store.agents_on_duty() if a.role == "supervisor"]
    return (f"⚠️ #{t.number} 收到 {stars} 星低分评价, 请 {', '.join(supervisors) or '主管'} "
            "跟进回访。")


def comment(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """Keep the text as the rating's comment, unless it is plainly a new question."""
    u = k.understand(text)
    if u.decision.kind in _NOT_A_COMMENT_KINDS and u.decision.intent not in _COMMENT_INTENTS:
        return None
    ticket = k.store.ticket(int(conv.details.get("ticket_id", 0)))
    if ticket is None:
        return None
    k.store.update_ticket(ticket.id, now, details={**ticket.details, "rating_comment": text[:500]})
    k.store.add_event(ticket.id, "buyer", "rating_comment", now, text=text[:500])
    outs = [to_buyer(conv.user_id, replies.COMMENT_THANKS),
            to_staff(ticket.id, f"买家评价留言: {text[:500]}")]
    return Conversation(conv.user_id), outs


def reopen(k: Kefu, conv: Conversation, arg: str, now: datetime, reason: str = "") -> Turn:
    """Reopen the buyer's own recently resolved ticket: same number, same history."""
    ticket = own_resolved(k, conv.user_id, arg)
    if ticket is None or not _within_window(k, ticket, now):
        return conv, [to_buyer(conv.user_id, replies.REOPEN_TOO_LATE.format(
            days=k.config.reopen_days))]
    p = tickets.promise(k, ticket.tier, now)
    k.store.update_ticket(ticket.id, now, stage="受理", resolved_at=None, promised_at=p.due,
                          owner="agent" if ticket.agent_id else "bot")
    k.store.add_event(ticket.id, "buyer", "reopened", now, reason=reason[:500],
                      promised_at=p.due.isoformat())
    again = k.store.ticket(ticket.id)
    return Conversation(conv.user_id, ticket_id=ticket.id), [
        to_buyer(conv.user_id, replies.reopened(again, now), replies.STATUS, ticket_id=ticket.id),
        to_staff(ticket.id, f"🔁 买家重新打开了 #{ticket.number}" + (f": {reason}" if reason
                                                                    else "")),
        tickets.staff_card(k, again, now)]  # type: ignore[arg-type]


def _within_window(k: Kefu, t: Ticket, now: datetime) -> bool:
    done = t.resolved_at or t.updated_at or t.created_at
    return now - done <= timedelta(days=k.config.reopen_days)


def recent_resolved(k: Kefu, user_id: int, now: datetime) -> Ticket | None:
    """The buyer's latest ticket if it was resolved inside the reopen window."""
    latest = next(iter(k.store.tickets_of(user_id, 1)), None)
    if latest is None or latest.stage != RESOLVED or not _within_window(k, latest, now):
        return None
    return latest


def about_resolved(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """A message about a recently resolved ticket: reopen it, or ask whether it is new."""
    ticket = recent_resolved(k, conv.user_id, now)
    if ticket is None:
        return None
    if ticket.order_no and ticket.order_no in _compact(text):
        return reopen(k, conv, str(ticket.id), now, text)
    if not _AGAIN.search(text):
        return None
    conv = Conversation(conv.user_id, "reopen_offer", ticket.intent, {"text": text[:500]})
    return conv, [to_buyer(conv.user_id, replies.same_problem_again(ticket),
                           Choice(f"是, 重新打开 #{ticket.number}", f"reopen:{ticket.id}"),
                           Choice("不是, 这是新问题", "newissue"))]


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_]", "", text).upper()
