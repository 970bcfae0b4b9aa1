"""A buyer with open tickets writes again: which matter is the message about?

Every message is understood first, then routed. A question the FAQ answers is
answered; a message about an open ticket joins it; another order or a new problem
is a new matter with its own ticket; when kefu cannot tell, it asks. The ticket the
buyer last dealt with (`Conversation.ticket_id`) is the one a plain follow-up joins.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import chase, flow, follow_ups, replies, tickets
from bot import matter_replies as mr
from bot.callbacks import NewIssue, Supplement, choice
from bot.intent_kinds import ABOUT_TICKET, informational
from bot.kefu import Kefu
from bot.records import Conversation, Ticket, Turn
from bot.tickets import to_buyer
from intents.faq import Intent
from intents.normalize import ORDER_TOKEN

# Said in passing while kefu still holds the ticket: answered with where it stands, not
# appended. Once an agent has it, these reach the agent like anything else ("你好 在吗").
SOCIAL = ("thanks", "goodbye")
SHORT_CHASE = 12  # "还没好吗", "到底好了没": a chase, whatever the matcher makes of it


def route(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """Route a message while the buyer has open tickets; None: not about them, route anew."""
    open_tickets = k.store.tickets.open_list(conv.user_id)
    if not open_tickets:
        return None
    t = tickets.focus(conv.ticket_id, open_tickets)
    found = flow.extracted(k, text)
    order_no = found.get("order_no")
    same = next((o for o in open_tickets if order_no and o.order_no == order_no), None)
    if same is not None:
        return join(k, conv, same, text, now)
    if conv.step == "clarify":  # the answer to "which one?" about a new matter: read with it
        return None
    u = k.understand(text)
    intent = k.intent(u.decision.intent) if u.decision.kind == "answer" else None
    new_problem = _problem(intent) and intent is not None and intent.id != t.intent
    if chase.is_chase(text) and not order_no and not (new_problem and len(text) > SHORT_CHASE):
        return join(k, conv, t, text, now)  # a sentence about a new problem is no chase
    if intent is not None and intent.id in SOCIAL and not order_no and t.owner != "agent":
        return conv, [to_buyer(conv.user_id, mr.welcome_back(t, now), ticket_id=t.id)]
    if intent is not None and informational(intent) and not order_no:
        return _answer_beside(k, conv, text, open_tickets, now)
    if order_no:  # another order: a new matter, unless it only fills the ticket's gap
        alone = not u.ranking.text.replace(ORDER_TOKEN, "").strip()  # the number, nothing else
        if t.order_no is None and (alone or intent is None or intent.id == t.intent):
            return join(k, conv, t, text, now)
        # Another order with words about it is its own matter (read and routed afresh); a
        # different number alone may be a correction or a new order: ask.
        return ask_which(conv, t, text) if alone else None
    if new_problem:
        return ask_which(conv, t, text)
    return join(k, conv, t, text, now)


def _problem(intent: Intent | None) -> bool:
    """Something wrong that a ticket or a lookup handles."""
    return intent is not None and intent.id not in (*ABOUT_TICKET, *SOCIAL) \
        and not informational(intent)


def join(k: Kefu, conv: Conversation, t: Ticket, text: str, now: datetime) -> Turn:
    """The message belongs to this open ticket: add it, and the buyer's focus moves there."""
    outs = follow_ups.join(k, t, text, "text", now, flow.extracted(k, text))
    return Conversation(conv.user_id, ticket_id=t.id), outs


def ask_which(conv: Conversation, t: Ticket, text: str) -> Turn:
    """Ask whether the message is a new matter or more about ticket `t`."""
    asked = Conversation(conv.user_id, "which_matter", None, {"text": text[:2000]},
                         ticket_id=t.id)
    return asked, [to_buyer(conv.user_id, mr.which_matter(t), choice("新问题", NewIssue()),
                            choice(f"补充到 #{t.number}", Supplement(t.id)))]


def supplement(k: Kefu, conv: Conversation, ticket_id: int, now: datetime) -> Turn:
    """The buyer said the message kefu asked about belongs to their open ticket."""
    t = k.store.tickets.get(ticket_id)
    text = conv.details.get("text", "")
    if t is None or t.user_id != conv.user_id or not t.is_open or not text:
        return conv, [to_buyer(conv.user_id, replies.NOT_YOURS)]
    return join(k, conv, t, text, now)


def _answer_beside(k: Kefu, conv: Conversation, text: str, open_tickets: list[Ticket],
                   now: datetime) -> Turn:
    """Answer an FAQ question; the open tickets are named, not touched."""
    after, outs = flow.route(k, Conversation(conv.user_id), text, now)
    last = max((i for i, o in enumerate(outs) if o.audience == "user"), default=None)
    if last is None:
        return after, outs
    shown = replace(outs[last], text=f"{outs[last].text}\n{mr.still_open(open_tickets, now)}")
    return after, [*outs[:last], shown, *outs[last + 1:]]
