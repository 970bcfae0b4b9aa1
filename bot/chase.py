"""Buyers chasing an open ticket ("还没好吗", "催一下", "??"): the third goes to a senior."""

from __future__ import annotations

import re
from datetime import datetime

from bot import replies
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import AgentRecord, Outgoing, Ticket

CHASE = re.compile(r"催|还没好|还没到|还没处理|还没回|怎么还|多久|到底|人呢|快点|搞快|急|还要等|"
                   r"什么时候好|进度|有结果|咋样了|怎么样了|\?\?|？？")
ESCALATE_AFTER = 3
SENIOR_ROLES = ("senior", "supervisor")


def is_chase(text: str) -> bool:
    """Whether a message is chasing ("还没好吗", "催一下", "??")."""
    return bool(CHASE.search(text))


def record_chase(k: Kefu, t: Ticket, now: datetime) -> list[Outgoing]:
    """Count a chase; the third inside the tier's window goes to a senior, once."""
    k.store.add_event(t.id, "buyer", "chased", now)
    since = now - k.config.tiers[t.tier].first_reply
    if k.store.count_events(t.id, "chased", since) < ESCALATE_AFTER \
            or k.store.count_events(t.id, "chase_escalated") > 0:
        return []
    senior = _senior_for(k, t)
    if senior is not None:
        k.store.update_ticket(t.id, now, agent_id=senior.id, owner="agent")
        k.store.add_event(t.id, "bot", "reassigned", now, to=senior.id, reason="chased")
    k.store.add_event(t.id, "bot", "chase_escalated", now, chases=ESCALATE_AFTER)
    name = senior.name if senior else "主管"
    notice = f"⬆️ 买家已催单 {ESCALATE_AFTER} 次, #{t.number} 升级给 {name} 优先处理"
    return [to_staff(t.id, notice),
            to_buyer(t.user_id, replies.chase_escalated(t, name, now), ticket_id=t.id)]


def _senior_for(k: Kefu, t: Ticket) -> AgentRecord | None:
    current = k.store.agent(t.agent_id) if t.agent_id else None
    if current and current.role in SENIOR_ROLES:
        return None  # already with a senior: escalation is the notice itself
    on_duty = [a for a in k.store.agents_on_duty() if a.role in SENIOR_ROLES]
    return next((a for a in on_duty if a.role == "senior"), on_duty[0] if on_duty else None)

