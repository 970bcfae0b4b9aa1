"""SLA timers: warn staff before a target runs out; escalate and apologise when it does.

Nothing lives in memory: every step leaves a ticket event, and each check
re-reads the open tickets and their events, so after a restart (or with a
second process checking too) each step fires exactly once.

The clock runs in business hours only, like the promises (eta.add_business_time):
nobody is on duty at night, so a ticket opened at 02:00 is not "late" at 02:05
and does not escalate twice before anyone can see it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from bot import escalation, notices, replies, tickets
from bot.cards import minutes_left
from bot.eta import format_due
from bot.kefu import Kefu
from bot.outbox import deliver, to_buyer, to_staff
from bot.records import Outgoing, Ticket
from bot.sla_clock import (
    FIRST_REPLY,
    KIND_NAMES,
    RESOLVE,
    WAITING,
    History,
    Target,
    history,
    targets,
)

__all__ = ["FIRST_REPLY", "RESOLVE", "check_sla", "history", "targets", "warning_text"]


def check_sla(k: Kefu) -> list[Outgoing]:
    """Fire every SLA step that is due now, once; return the queued messages."""
    now = k.now()
    with k.store.transaction():
        outs: list[Outgoing] = []
        for t in k.store.tickets.all_open():
            outs += _check_ticket(k, t, now)
        outs += notices.check_due(k, now)  # notice deadlines share the timer tick
        return deliver(k.store, outs, now)


def _check_ticket(k: Kefu, t: Ticket, now: datetime) -> list[Outgoing]:
    """At most one step a ticket a round: the next round sees the ticket as it changed."""
    hist = history(k, t)
    goals = targets(k, t, hist, now)
    # Most serious first: a breach also renews the promise, so the buyer hears it once.
    steps: list[Callable[[], list[Outgoing]]] = [
        *(partial(_breach, k, t, g, hist, now) for g in goals),
        partial(_renew_broken_promise, k, t, hist, now),
        *(partial(_warn, k, t, g, hist, now) for g in goals),
    ]
    for step in steps:
        outs = step()
        if outs:
            return outs
    return []


def _warn(k: Kefu, t: Ticket, g: Target, hist: History, now: datetime) -> list[Outgoing]:
    if not (g.live and g.warn_at <= now < g.due) or hist.fired("sla_warned", g):
        return []
    k.store.ticket_events.add(t.id, "bot", "sla_warned", now, target=g.kind, tier=g.tier,
                              at=g.due.isoformat())
    return [to_staff(t.id, warning_text(k, t, g, now))]


def warning_text(k: Kefu, t: Ticket, g: Target, now: datetime) -> str:
    """Terse staff warning naming who should act."""
    head = (f"⏳ #{t.number} {KIND_NAMES[g.kind]}将于 {format_due(g.due, now)} 超时 "
            f"({minutes_left(g.due, now)})")
    owner = k.store.agents.get(t.agent_id) if t.agent_id else None
    if owner is not None:
        return f"{head} · {owner.name} 请尽快处理"
    seniors = [a.name for a in k.store.agents.on_duty() if a.role in escalation.SENIOR_ROLES]
    who = f"请 {', '.join(seniors)} 接手" if seniors else "当前无资深客服在岗"
    return f"{head} · 未认领, {who}"


def _breach(k: Kefu, t: Ticket, g: Target, hist: History, now: datetime) -> list[Outgoing]:
    """A target ran out: the ticket escalates and staff hear why. The buyer hears of it only
    once their own promise has passed: the SLA is ours, the promise is theirs."""
    if not (g.live and now >= g.due) or hist.fired("sla_breached", g):
        return []
    k.store.ticket_events.add(t.id, "bot", "sla_breached", now, target=g.kind, tier=g.tier,
                              at=g.due.isoformat())
    k.store.tickets.update(t.id, now, breached_at=t.breached_at or now)
    esc = escalation.escalate(k, t, escalation.SLA, now, target=g.kind,
                              reassign=k.config.sla.reassign_on_breach)
    head = f"⏰ #{t.number} {KIND_NAMES[g.kind]}已超时 (时限 {format_due(g.due, now)})"
    staff = [escalation.staff_notice(esc, head), *escalation.thread_update(k, esc, now)]
    if t.first_reply_at is None and t.promised_at is not None and now < t.promised_at:
        return staff  # the promise still holds: _renew_broken_promise speaks if it breaks
    # Before any reply the buyer gets a new time; after one, who follows up.
    renewed = _renew(k, t, now, "sla_breached") if t.first_reply_at is None else None
    return [*staff, escalation.buyer_message(esc, now, renewed)]


def _renew_broken_promise(k: Kefu, t: Ticket, hist: History, now: datetime
                          ) -> list[Outgoing]:
    """The promised time passed with no reply: apologise with a new time, once a promise."""
    if t.first_reply_at is not None or t.promised_at is None or now < t.promised_at \
            or t.stage == WAITING:  # the agent waits for the buyer: nothing to apologise for
        return []
    was = t.promised_at.isoformat()
    if any(e["event"] == "eta_renewed" and e["data"].get("was") == was for e in hist.events):
        return []
    due = _renew(k, t, now, "promise_broken")
    return [to_buyer(t.user_id, replies.promise_renewed(t, t.promised_at, due, now),
                     replies.STATUS, ticket_id=t.id),
            to_staff(t.id, f"⏰ #{t.number} 承诺时间 {format_due(t.promised_at, now)} 已过, "
                           f"已告知买家新时间 {format_due(due, now)}")]


def _renew(k: Kefu, t: Ticket, now: datetime, reason: str) -> datetime:
    """Re-estimate the first reply from the queue as it is now, and keep it."""
    fresh = k.store.tickets.get(t.id) or t
    p = tickets.promise(k, fresh.tier, now, before=t.created_at)
    k.store.tickets.update(t.id, now, promised_at=p.due, at_risk=int(p.at_risk))
    k.store.ticket_events.add(t.id, "bot", "eta_renewed", now, reason=reason,
                              was=t.promised_at.isoformat() if t.promised_at else None,
                              promised_at=p.due.isoformat())
    return p.due
