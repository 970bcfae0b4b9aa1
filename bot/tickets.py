"""Opening tickets, promising reply times, and telling buyers and staff.

Every function here runs inside the caller's transaction and returns the
messages it caused; the caller puts them in the outbox.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from bot import cards, plain, replies, same_order, sla_clock, urgency
from bot.clock import shift
from bot.eta import Promise, QueueState, add_business_time, estimate
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import TIER_RANK, Outgoing, Ticket
from bot.tiering import tier_of
from intents.faq import Intent

PRIOR_WEIGHT = 10  # the configured handling time weighs as much as this many real tickets
MAX_CUT_IN = 0.5
RECENT_CLOSED = 3  # closed tickets /status shows after every open one


def handle_time(k: Kefu) -> timedelta:
    """Rolling mean time agents spend per ticket, pulled toward the configured value."""
    samples = k.store.queue.handle_times(k.config.history_size)
    if not samples:
        return k.config.handle
    # The queue drains at the mean rate and handling times are skewed (a few long cases), so
    # the median promised too early; capping at 3x the median keeps one ticket left claimed
    # overnight from inflating every promise.
    cap = 3 * statistics.median(samples)
    total = sum(min(s, cap) for s in samples)
    # The first tickets to finish each morning are the quick ones: the configured value
    # counts as PRIOR_WEIGHT tickets so a handful of them cannot shrink every promise.
    prior = k.config.handle.total_seconds() * PRIOR_WEIGHT
    return timedelta(seconds=(total + prior) / (len(samples) + PRIOR_WEIGHT))


def promise(k: Kefu, tier: str, now: datetime, before: datetime | None = None) -> Promise:
    """An honest first-reply time for a ticket of this tier (opened at `before` if waiting)."""
    queued = queued_as(k, tier)
    ahead = k.store.queue.waiting_ahead(queued, before) + escalating_into(k, queued, now, before)
    agents, handle = len(k.store.agents.on_duty()), handle_time(k)
    queue = QueueState(ahead=ahead, agents_on_duty=agents, pickup=k.config.pickup,
                       avg_handle=handle, busy=k.store.queue.agents_busy(),
                       cut_in=cut_in(k, queued, now, handle, agents))
    return estimate(now, k.config.tiers[tier], queue, k.config.eta)


def queued_as(k: Kefu, tier: str) -> str:
    """The tier a ticket waits in: one up if its target runs out before anyone can pick it up."""
    # B's 5-minute target is shorter than the pickup time: every waiting B ticket breaches and
    # moves up (bot.sla) before it is answered, so it queues among the A tickets.
    up = next((t for t, rank in TIER_RANK.items() if rank == TIER_RANK[tier] - 1), tier)
    return up if k.config.tiers[tier].first_reply < k.config.pickup else tier


def cut_in(k: Kefu, tier: str, now: datetime, handle: timedelta, agents: int) -> float:
    """Share of agents' time the last hour's rate of more urgent tickets would take."""
    urgent = [t for t, rank in TIER_RANK.items() if rank < TIER_RANK[tier]]
    per_hour = k.store.queue.opened_since(urgent, shift(now, -timedelta(hours=1)))
    load = per_hour * (handle / timedelta(hours=1)) / max(agents, 1)
    return min(load, MAX_CUT_IN)  # a flood of urgent tickets must not push promises to infinity


def escalating_into(k: Kefu, tier: str, now: datetime, before: datetime | None = None) -> int:
    """Waiting tickets one tier down that will breach, move up and be ahead before pickup."""
    # With B's 5-minute target every waiting B ticket is an A ticket by the time an A ticket
    # is picked up, and older, so ahead of it; not counting them broke A promises at peaks.
    lower = next((t for t, rank in TIER_RANK.items() if rank == TIER_RANK[tier] + 1), None)
    if lower is None:
        return 0
    cutoff = shift(now, k.config.pickup - k.config.tiers[lower].first_reply)
    return k.store.queue.waiting_in(lower, min(cutoff, before or cutoff))


def hours_text(k: Kefu) -> str:
    """Business hours as buyers read them, e.g. 09:00-24:00."""
    h = k.config.eta.hours
    closes = "24:00" if h.closes.hour == 0 and h.closes.minute == 0 else h.closes.strftime("%H:%M")
    return f"{h.opens.strftime('%H:%M')}-{closes}"


def open_ticket(k: Kefu, user_id: int, intent: Intent, details: dict[str, Any],
                now: datetime) -> tuple[Ticket, list[Outgoing]]:
    """Create the ticket, promise a time, confirm to the buyer, post the card to staff."""
    tier = tier_of(intent, details.get("amount"), k.config.big_amount)
    p = promise(k, tier, now)
    details = same_order.flag(k, user_id, details.get("order_no"), details)
    extra = {key: details[key] for key in ("evidence", "issue", "no_order", "error_text", "notes",
                                           same_order.FLAG, "also", "mood") if details.get(key)}
    if details.get("text") and not extra.get("issue"):  # the card shows the buyer's own words
        extra["issue"] = str(details["text"])[:500]
    ticket = k.store.tickets.create({
        "user_id": user_id, "intent": intent.id, "title": intent.label, "tier": tier,
        "order_no": details.get("order_no"), "demand": details.get("demand"),
        "demand_text": details.get("demand_text"), "amount": details.get("amount"),
        "details": extra, "promised_at": p.due, "at_risk": int(p.at_risk),
        "priority": urgency.priority(details.get("mood"))}, now)
    k.store.ticket_events.add(ticket.id, "bot", "opened", now, tier=tier,
                              promised_at=p.due.isoformat(),
                              at_risk=p.at_risk, wait_minutes=round(p.wait.total_seconds() / 60))
    k.store.messages.attach_recent(user_id, ticket.id)
    text = replies.ticket_opened(ticket, now, hours_text(k), p.starts_later)
    outs = [to_buyer(user_id, text, replies.EDIT, replies.STATUS, ticket_id=ticket.id),
            staff_card(k, ticket, now)]
    outs += [evidence_to_staff(ticket.id, item) for item in extra.get("evidence", [])]
    return ticket, outs + same_order.tell_other(k, ticket, now)


def sla_due(k: Kefu, t: Ticket, target: timedelta | None = None) -> datetime:
    """When a target (default: the tier's first reply) runs out, counting business hours only."""
    # Same clock as the promises: nobody is on duty at night, so the SLA pauses then too.
    sla = k.config.tiers[t.tier]
    return add_business_time(t.created_at, target or sla.first_reply, k.config.eta.hours,
                             sla.working_days_only)


def sla_view(k: Kefu, t: Ticket, now: datetime) -> cards.SlaView:
    """The SLA target the ticket works toward now, read from the same clock bot.sla fires by."""
    target, paused = sla_clock.next_target(k, t, now)
    return cards.SlaView(target.kind if target else None, target.due if target else None,
                         paused)


def agent_name(k: Kefu, t: Ticket) -> str | None:
    """The name of whoever has the ticket."""
    agent = k.store.agents.get(t.agent_id) if t.agent_id else None
    return agent.name if agent else None


def staff_card(k: Kefu, t: Ticket, now: datetime) -> Outgoing:
    """The ticket card for the staff thread (sent, or re-sent after a change)."""
    user = k.store.users.name(t.user_id)
    done = t.resolved_at or t.updated_at
    until = done + timedelta(days=k.config.reopen_days) if not t.is_open and done else None
    text = cards.card(t, user, k.store.messages.transcript(t.user_id),
                      sla_view(k, t, now) if t.is_open else None, now, agent_name(k, t), until)
    return to_staff(t.id, text, kind="card", choices=cards.staff_choices(t))


def retitle(before: Ticket, after: Ticket) -> list[Outgoing]:
    """The staff thread's new title, if what it shows (tier, breach, category) changed."""
    title = cards.topic_title(after)
    return [] if title == cards.topic_title(before) else [to_staff(after.id, title, "title")]


def topic_state(before: Ticket, after: Ticket) -> list[Outgoing]:
    """Close the ticket's topic when it closes, reopen it when it reopens."""
    if before.is_open == after.is_open:
        return []
    return [to_staff(after.id, "reopen" if after.is_open else "close", "topic")]


def refresh(k: Kefu, before: Ticket, after: Ticket, now: datetime) -> list[Outgoing]:
    """Bring the thread up to date after a change: the card, the title if it changed, the
    topic closed or reopened. The adapter collapses what is still waiting to the latest."""
    return [staff_card(k, after, now), *retitle(before, after), *topic_state(before, after)]


def own_resolved(k: Kefu, user_id: int, ticket_id: int) -> Ticket | None:
    """The buyer's own resolved ticket with this id, else None (forged or someone else's)."""
    ticket = k.store.tickets.get(ticket_id)
    if ticket is None or ticket.user_id != user_id or ticket.is_open:
        return None
    return ticket


def evidence_to_staff(ticket_id: int, item: dict[str, Any]) -> Outgoing:
    """A buyer's screenshot or file, forwarded into the ticket's staff thread."""
    label = "截图" if item["kind"] == "photo" else "文件"
    said = plain.one_line(str(item.get("caption") or ""))
    caption = f"买家发来{label}" + (f": {said}" if said else "")
    return Outgoing("staff", caption, ticket_id=ticket_id, kind=item["kind"],
                    file_id=item.get("file_id"))


def focus(ticket_id: int | None, open_tickets: list[Ticket]) -> Ticket:
    """Of a buyer's open tickets, the one they dealt with last (`ticket_id`), else the newest."""
    return next((t for t in open_tickets if t.id == ticket_id), open_tickets[0])


def current(k: Kefu, user_id: int, ticket_id: int | None) -> Ticket | None:
    """The open ticket the buyer is dealing with now (see `focus`), None without one."""
    open_tickets = k.store.tickets.open_list(user_id)
    return focus(ticket_id, open_tickets) if open_tickets else None


def status(k: Kefu, user_id: int, now: datetime) -> Outgoing:
    """Every open matter of the buyer, then the latest closed ones: stage, promise, update."""
    open_tickets = k.store.tickets.open_list(user_id)
    closed = [t for t in k.store.tickets.latest_of(user_id, RECENT_CLOSED + len(open_tickets))
              if not t.is_open][:RECENT_CLOSED]
    tickets = [*open_tickets, *closed]
    if not tickets:
        return to_buyer(user_id, replies.NO_TICKETS)
    lines = [replies.status_line(t, now) for t in tickets]
    return to_buyer(user_id, replies.status_list(lines))
