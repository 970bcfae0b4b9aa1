"""Buyers chasing ("还没好吗", "催一下", "??"): an open ticket's third chase escalates it;
after an answer without a ticket, chasing offers a person, and the third opens a ticket."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime

from bot import escalation, flow, replies
from bot import matter_replies as mr
from bot.clock import shift
from bot.kefu import Kefu
from bot.outbox import to_buyer
from bot.records import Conversation, Outgoing, Ticket, Turn

CHASE = re.compile(r"催|还没好|还没到|还没处理|还没回|怎么还|多久|到底|人呢|快点|搞快|急|还要等|"
                   r"什么时候好|进度|有结果|咋样了|怎么样了|\?\?|？？")
ESCALATE_AFTER = 3


def is_chase(text: str) -> bool:
    """Whether a message is chasing ("还没好吗", "催一下", "??")."""
    return bool(CHASE.search(text))


def record_chase(k: Kefu, t: Ticket, now: datetime) -> list[Outgoing]:
    """Count a chase; the third inside the tier's window escalates the ticket, once."""
    k.store.ticket_events.add(t.id, "buyer", "chased", now)
    since = shift(now, -k.config.tiers[t.tier].first_reply)
    if k.store.ticket_events.count(t.id, "chased", since) < ESCALATE_AFTER or _escalated_before(k,
                                                                                                t):
        return []
    esc = escalation.escalate(k, t, escalation.CHASED, now, chases=ESCALATE_AFTER)
    head = f"⬆️ #{t.number} 买家已催单 {ESCALATE_AFTER} 次"
    return [escalation.staff_notice(esc, head), *escalation.thread_update(k, esc, now),
            escalation.buyer_message(esc, now)]


def _escalated_before(k: Kefu, t: Ticket) -> bool:
    """Chasing escalates a ticket once (chase_escalated: how it was recorded before)."""
    return any(e["event"] == "chase_escalated" or (
        e["event"] == "escalated"
        and json.loads(e["data"] or "{}").get("reason") == escalation.CHASED)
        for e in k.store.ticket_events.of(t.id))


def after_answer(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn | None:
    """"还没好吗" after kefu answered (no ticket yet): offer a person, then open a ticket.

    None when the message is a new question that happens to share a word ("退款多久到")."""
    u = k.understand(text)
    if u.decision.kind == "answer" and u.decision.intent not in (
            conv.intent, "ticket_progress", "contact_human", "complaint", "none"):
        return None
    chased = int(conv.details.get("chased", 0)) + 1
    if chased >= ESCALATE_AFTER:
        return flow.hand_over(k, conv, now, mr.CHASED_TO_TICKET)
    said = mr.CHASE_ANSWER if chased == 1 else mr.CHASE_ANSWER_AGAIN
    conv = replace(conv, details={**conv.details, "chased": chased})
    return conv, [to_buyer(conv.user_id, said, replies.HUMAN)]
