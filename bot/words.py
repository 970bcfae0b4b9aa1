"""Every button also works as words, in every state: "修改信息", "撤销", "五星", "算了".

`read` runs before a typed message is understood as a question. It acts only when
the whole short message is a choice kefu offers somewhere (intents/typed.py reads
it); anything else goes on to be understood and routed as usual.
"""

from __future__ import annotations

from datetime import datetime

from bot import flow, matters, ratings, reopen, replies, tickets
from bot import matter_replies as mr
from bot.callbacks import Withdraw, choice, decode
from bot.edit import begin_edit
from bot.kefu import Kefu
from bot.records import CLOSED, Conversation, Ticket, Turn
from bot.tickets import to_buyer
from intents import typed

ASKING = ("intake", "clarify", "edit", "which_matter", "prove")  # a question is on screen


def read(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """The typed choice's effect, or None when the text is not one."""
    action = typed.action(text)
    if action is not None:
        return _action(k, conv, action, now)
    if typed.cancel(text) or typed.received(text):
        return _stop(k, conv, typed.received(text), now)
    stars = typed.stars(text)
    if stars is not None:
        return _rate(k, conv, text, stars, now)
    return None


def _action(k: Kefu, conv: Conversation, action: str, now: datetime) -> Turn | None:
    uid = conv.user_id
    if action.startswith("field:"):
        return begin_edit(k, conv, action.removeprefix("field:"), now) \
            if conv.step == "edit" else None
    if action in ("new", "supplement"):
        if conv.step != "which_matter":
            return None
        if action == "supplement" and conv.ticket_id is not None:
            return matters.supplement(k, conv, conv.ticket_id, now)
        return flow.route(k, Conversation(uid), conv.details.get("text", ""), now)
    if action == "human":
        return flow.human(k, conv, now)
    if action == "status":
        return conv, [tickets.status(k, uid, now)]
    if action == "edit":
        return begin_edit(k, conv, "", now)
    return _withdraw(k, conv, now)


def _withdraw(k: Kefu, conv: Conversation, now: datetime) -> Turn:
    """Typed 撤销: the ticket a withdraw button on screen names, else offer to withdraw."""
    offered = [cb.ticket_id for c in conv.offered if isinstance(cb := decode(c.data), Withdraw)]
    if offered:
        return withdraw(k, conv, offered[0], now)
    return flow.cancel(k, conv, now)


def withdraw(k: Kefu, conv: Conversation, ticket_id: int, now: datetime) -> Turn:
    """Close the buyer's own open ticket at their word."""
    t = k.store.tickets.get(ticket_id)
    if t is None or t.user_id != conv.user_id or not t.is_open:
        return conv, [to_buyer(conv.user_id, replies.NOT_YOURS)]
    k.store.tickets.update(t.id, now, stage=CLOSED, resolved_at=now)
    k.store.ticket_events.add(t.id, "buyer", "withdrawn", now)
    return Conversation(conv.user_id), [
        to_buyer(conv.user_id, replies.withdrawn(t)),
        tickets.to_staff(t.id, f"买家撤销了工单 #{t.number}"),
        *tickets.refresh(k, t, k.store.tickets.get(t.id) or t, now)]


def _stop(k: Kefu, conv: Conversation, received: bool, now: datetime) -> Turn:
    """算了 / 不用了 / 已经收到了: stop the question, or offer to withdraw the ticket."""
    uid = conv.user_id
    if conv.step in ASKING:
        return flow.cancel(k, conv, now)
    open_tickets = k.store.tickets.open_list(uid)
    if not open_tickets:
        text = replies.SOLVED_THANKS if received else replies.NOTHING_TO_CANCEL
        return Conversation(uid), [to_buyer(uid, text)]
    t = tickets.focus(conv.ticket_id, open_tickets)
    text = mr.received_offer(t) if received else replies.withdraw_offer(t)
    return Conversation(uid, ticket_id=t.id), [
        to_buyer(uid, text, choice(f"撤销工单 #{t.number}", Withdraw(t.id)))]


def _rate(k: Kefu, conv: Conversation, text: str, stars: int, now: datetime) -> Turn | None:
    """Stars in words, for the latest resolved ticket still waiting for them."""
    bare = text.strip().isdecimal()
    t = _unrated(k, conv.user_id, now)
    if t is not None and not (bare and conv.step in ASKING):
        return ratings.rate(k, conv, t.id, stars, now)
    if bare and conv.step != "intake":  # nothing to pick or rate: a number is no question
        return conv, [to_buyer(conv.user_id, mr.DIGIT_ALONE.format(text=text.strip()[:6]))]
    return None


def _unrated(k: Kefu, user_id: int, now: datetime) -> Ticket | None:
    t = reopen.recent_resolved(k, user_id, now)
    return t if t is not None and not t.details.get("rating") else None
