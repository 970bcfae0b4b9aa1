"""Buyers chasing an open ticket ("还没好吗", "催一下", "??"): the third one escalates."""

from __future__ import annotations

import json
import re
from datetime import datetime

from bot import escalation
from bot.kefu import Kefu
from bot.records import Outgoing, Ticket

CHASE = re.compile(r"催|还没好|还没到|还没处理|还没回|怎么还|多久|到底|人呢|快点|搞快|急|还要等|"
                   r"什么时候好|进度|有结果|咋样了|怎么样了|\?\?|？？")
ESCALATE_AFTER = 3


def is_chase(text: str) -> bool:
    """Whether a message is chasing ("还没好吗", "催一下", "??")."""
    return bool(CHASE.search(text))


def record_chase(k: Kefu, t: Ticket, now: datetime) -> list[Outgoing]:
    """Count a chase; the third inside the tier's window escalates the ticket, once."""
    k.store.ticket_events.add(t.id, "buyer", "chased", now)
    since = now - k.config.tiers[t.tier].first_reply
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
