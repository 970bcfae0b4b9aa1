"""Escalation, one policy for the chase, the SLA and an agent's /escalate.

The ticket moves one tier up (B→A→S; S stays S) and, unless a senior on duty
already has it, to the least busy senior on duty. One `escalated` event records
it (reason, tier, was, and `to` when someone new has it); staff hear it in the
ticket's thread, naming the supervisors on duty, and the buyer hears who follows up.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import replies, tickets
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import AgentRecord, Outgoing, Ticket

ESCALATE_TO = {"B": "A", "A": "S", "S": "S"}
SENIOR_ROLES = ("senior", "supervisor")
AGENT, SLA, CHASED = "agent", "sla", "chased"  # why: an agent asked, a target ran out, a chase


@dataclass(frozen=True)
class Escalation:
    """What one escalation changed: the ticket before and after, and who has it now."""

    reason: str
    before: Ticket
    after: Ticket
    senior: AgentRecord | None  # None: nobody new has it (a senior had it, or none is free)
    supervisors: tuple[str, ...]  # on duty, named in the staff notice

    @property
    def moved(self) -> bool:
        """Whether anything changed: a higher tier, or someone new has it."""
        return self.after.tier != self.before.tier or self.senior is not None


def escalate(k: Kefu, t: Ticket, reason: str, now: datetime, *, actor: str = "bot",
             exclude: Collection[int] = (), reassign: bool = True,
             **data: Any) -> Escalation:
    """Tier up and hand to a senior; `exclude` are agents it must not go to (the asker)."""
    tier = ESCALATE_TO[t.tier]
    senior = pick_senior(k, t, exclude) if reassign else None
    fields: dict[str, Any] = {"tier": tier}
    if senior is not None:
        fields.update(agent_id=senior.id, owner="agent", claimed_at=now)
    k.store.tickets.update(t.id, now, **fields)
    moved = {"to": senior.id} if senior is not None else {}
    k.store.ticket_events.add(t.id, actor, "escalated", now, reason=reason, tier=tier, was=t.tier,
                              **moved, **data)
    after = k.store.tickets.get(t.id)
    assert after is not None
    return Escalation(reason, t, after, senior, tuple(supervisors_on_duty(k)))


def pick_senior(k: Kefu, t: Ticket, exclude: Collection[int] = ()) -> AgentRecord | None:
    """The least busy senior on duty, unless a senior on duty (not excluded) has the ticket."""
    on_duty = k.store.agents.on_duty()
    if any(a.id == t.agent_id and a.role in SENIOR_ROLES and a.id not in exclude
           for a in on_duty):
        return None
    others = [o for o in k.store.tickets.all_open() if o.id != t.id]
    # A senior who still owes someone a first reply would only make this buyer wait behind it.
    owing = {o.agent_id for o in others if o.first_reply_at is None}
    seniors = [a for a in on_duty if a.role == "senior" and a.id != t.agent_id
               and a.id not in exclude and a.id not in owing]
    if not seniors:
        return None
    load = [o.agent_id for o in others]
    return min(seniors, key=lambda a: (load.count(a.id), a.id))


def supervisors_on_duty(k: Kefu) -> list[str]:
    """Names of the supervisors on duty now."""
    return [a.name for a in k.store.agents.on_duty() if a.role == "supervisor"]


def staff_notice(esc: Escalation, head: str) -> Outgoing:
    """Terse notice for the thread: why (head), the tier, who has it, who should watch."""
    was, tier = esc.before.tier, esc.after.tier
    parts = [head, f"升级 {was}→{tier}" if tier != was else f"已是 {tier} 级"]
    if esc.senior is not None:
        parts.append(f"转给 {esc.senior.name}")
    parts.append(f"请 {', '.join(esc.supervisors) or '主管'} 关注")
    return to_staff(esc.after.id, " · ".join(parts))


def buyer_message(esc: Escalation, now: datetime, renewed: datetime | None = None
                  ) -> Outgoing:
    """The buyer hears who follows up (after a missed target: an apology, and a new time)."""
    t, name = esc.after, esc.senior.name if esc.senior else None
    if esc.reason == SLA and renewed is not None:
        return to_buyer(t.user_id, replies.sla_breached(t, renewed, now, name, esc.moved),
                        replies.STATUS, ticket_id=t.id)
    if esc.reason == SLA:
        return to_buyer(t.user_id, replies.sla_slow(t, name, esc.moved), ticket_id=t.id)
    text = replies.escalated(t, name, now, sorry=esc.reason == CHASED, moved=esc.moved)
    return to_buyer(t.user_id, text, ticket_id=t.id)


def thread_update(k: Kefu, esc: Escalation, now: datetime) -> list[Outgoing]:
    """The ticket's card as it is now, and its thread's new title if that changed."""
    return tickets.refresh(k, esc.before, esc.after, now)
