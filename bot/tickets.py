"""Opening tickets, promising reply times, and telling buyers and staff.

Every function here runs inside the caller's transaction and returns the
messages it caused; the caller puts them in the outbox.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from bot import cards, chase, replies
from bot.eta import Promise, QueueState, estimate, is_open
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import Outgoing, Ticket
from intents.faq import Intent


def handle_time(k: Kefu) -> timedelta:
    """Rolling median time agents spend per ticket; the configured default until history."""
    samples = k.store.recent_handle_times(k.config.history_size)
    if len(samples) < 5:
        return k.config.handle
    return timedelta(seconds=statistics.median(samples))


def promise(k: Kefu, tier: str, now: datetime) -> Promise:
    """An honest first-reply time for a new ticket of this tier."""
    queue = QueueState(ahead=k.store.waiting_ahead(tier), agents_on_duty=len(
        k.store.agents_on_duty()), pickup=k.config.pickup, avg_handle=handle_time(k))
    return estimate(now, k.config.tiers[tier], queue, k.config.eta)


def hours_text(k: Kefu) -> str:
    """Business hours as buyers read them, e.g. 09:00-24:00."""
    h = k.config.eta.hours
    closes = "24:00" if h.closes.hour == 0 and h.closes.minute == 0 else h.closes.strftime("%H:%M")
    return f"{h.opens.strftime('%H:%M')}-{closes}"


def open_ticket(k: Kefu, user_id: int, intent: Intent, details: dict[str, Any],
                now: datetime) -> tuple[Ticket, list[Outgoing]]:
    """Create the ticket, promise a time, confirm to the buyer, post the card to staff."""
    tier = intent.tier or "B"
    p = promise(k, tier, now)
    extra = {key: details[key] for key in ("evidence", "issue", "no_order", "error_text", "notes")
             if details.get(key)}
    ticket = k.store.create_ticket({
        "user_id": user_id, "intent": intent.id, "title": intent.label, "tier": tier,
        "order_no": details.get("order_no"), "demand": details.get("demand"),
        "demand_text": details.get("demand_text"), "amount": details.get("amount"),
        "details": extra, "promised_at": p.due, "at_risk": int(p.at_risk)}, now)
    k.store.add_event(ticket.id, "bot", "opened", now, tier=tier, promised_at=p.due.isoformat(),
                      at_risk=p.at_risk, wait_minutes=round(p.wait.total_seconds() / 60))
    k.store.attach_recent_messages(user_id, ticket.id)
    text = replies.ticket_opened(ticket, now, hours_text(k), p.starts_later)
    outs = [to_buyer(user_id, text, replies.EDIT, replies.STATUS, ticket_id=ticket.id),
            staff_card(k, ticket, now)]
    outs += [evidence_to_staff(ticket.id, item) for item in extra.get("evidence", [])]
    return ticket, outs


def sla_due(k: Kefu, t: Ticket) -> datetime:
    """When the tier's first-reply target runs out for this ticket."""
    return t.created_at + k.config.tiers[t.tier].first_reply


def staff_card(k: Kefu, t: Ticket, now: datetime) -> Outgoing:
    """The ticket card for the staff thread (sent, or re-sent after a change)."""
    agent = k.store.agent(t.agent_id) if t.agent_id else None
    user = k.store.user_name(t.user_id)
    text = cards.card(t, user, k.store.transcript(t.user_id), sla_due(k, t), now,
                      agent.name if agent else None)
    return to_staff(t.id, text, kind="card", choices=cards.staff_choices(t))


def evidence_to_staff(ticket_id: int, item: dict[str, Any]) -> Outgoing:
    """A buyer's screenshot or file, forwarded into the ticket's staff thread."""
    label = "截图" if item["kind"] == "photo" else "文件"
    caption = f"买家发来{label}" + (f": {item['caption']}" if item.get("caption") else "")
    return Outgoing("staff", caption, ticket_id=ticket_id, kind=item["kind"],
                    file_id=item.get("file_id"))


def join(k: Kefu, t: Ticket, text: str, kind: str, now: datetime,
         details: dict[str, Any], file_id: str | None = None) -> list[Outgoing]:
    """A buyer wrote while their ticket is open: add it and keep both sides informed."""
    filled = _fill_missing(k, t, details, now)
    note = f"\n(已自动补充: {', '.join(filled)})" if filled else ""
    if kind == "text":
        outs = [to_staff(t.id, f"买家补充: {text}{note}")]
        if chase.is_chase(text):
            outs += chase.record_chase(k, t, now)
    else:
        outs = [evidence_to_staff(t.id, {"kind": kind, "file_id": file_id, "caption": text})]
    if t.owner != "agent":
        # A person owns the ticket once claimed: from then on the bot stays quiet.
        outs.append(to_buyer(t.user_id, replies.joined(t, now), replies.STATUS, ticket_id=t.id))
    return outs


def _fill_missing(k: Kefu, t: Ticket, details: dict[str, Any], now: datetime) -> list[str]:
    fields = {f: details[f] for f in ("order_no", "amount", "demand")
              if details.get(f) is not None and getattr(t, f) is None}
    if fields:
        k.store.update_ticket(t.id, now, **fields)
        k.store.add_event(t.id, "buyer", "details_added", now, **fields)
    return list(fields)


def status(k: Kefu, user_id: int, now: datetime) -> Outgoing:
    """The buyer's own tickets: stage, promise, last update."""
    tickets = k.store.tickets_of(user_id)
    if not tickets:
        return to_buyer(user_id, replies.NO_TICKETS)
    lines = [replies.status_line(t, now) for t in tickets]
    return to_buyer(user_id, "你的工单:\n" + "\n".join(lines))


def within_hours(k: Kefu, now: datetime) -> bool:
    """Whether people are at work right now."""
    return is_open(now, k.config.eta.hours)
