"""The SLA clock of one ticket: its targets, and the time it spent waiting for the buyer.

Pure reading: nothing here writes. bot/sla.py fires the steps; the card (bot/tickets.py)
shows the next target, so both read the same clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.eta import add_business_time
from bot.kefu import Kefu
from bot.records import Ticket, parse_time

FIRST_REPLY, RESOLVE = "first_reply", "resolve"
KIND_NAMES = {FIRST_REPLY: "首次回复", RESOLVE: "解决"}
WAITING = "反馈"  # the stage in which the ticket waits for the buyer: the clock stops


@dataclass(frozen=True)
class Target:
    """One SLA target of a ticket in its current tier."""

    kind: str  # first_reply | resolve
    tier: str
    warn_at: datetime
    due: datetime
    live: bool  # not met yet, and the ticket did not enter this tier already late


@dataclass(frozen=True)
class History:
    """The ticket's events since its clock started (its opening, or its latest reopening)."""

    start: datetime
    events: tuple[dict[str, Any], ...]

    def fired(self, event: str, target: Target) -> bool:
        """Whether this step already happened for this target."""
        return any(e["event"] == event and e["data"].get("target") == target.kind
                   and e["data"].get("tier") == target.tier for e in self.events)

    def entered_tier(self, tier: str) -> datetime:
        """When the ticket moved into its current tier (its start if it began there)."""
        moves = [parse_time(e["at"]) for e in self.events
                 if e["event"] == "escalated" and e["data"].get("tier") == tier]
        return max([self.start, *moves])  # type: ignore[type-var]

    def paused(self, now: datetime) -> timedelta:
        """Time spent in 反馈 (waiting for the buyer): the SLA does not run then."""
        total, since = timedelta(0), None
        for e in self.events:
            if e["event"] not in ("stage", "resolved", "reopened"):
                continue
            at = parse_time(e["at"])
            if since is not None:
                total += at - since  # type: ignore[operator]
                since = None
            if e["event"] == "stage" and e["data"].get("stage") == WAITING:
                since = at
        return total + (now - since if since is not None else timedelta(0))

    def waiting(self) -> bool:
        """Whether the clock is stopped now (the latest stage move was into 反馈)."""
        moves = [e for e in self.events if e["event"] in ("stage", "resolved", "reopened")]
        return bool(moves) and moves[-1]["event"] == "stage" \
            and moves[-1]["data"].get("stage") == WAITING


def history(k: Kefu, t: Ticket) -> History:
    """The events that count for the ticket's current clock."""
    rows = [dict(e, data=json.loads(e["data"] or "{}")) for e in k.store.ticket_events.of(t.id)]
    reopened = [parse_time(e["at"]) for e in rows if e["event"] == "reopened"]
    start: datetime = max([t.created_at, *reopened])  # type: ignore[type-var]
    return History(start, tuple(e for e in rows if parse_time(e["at"]) >= start))


def targets(k: Kefu, t: Ticket, hist: History, now: datetime) -> list[Target]:
    """The first-reply and resolution targets of the ticket's current tier."""
    entered = hist.entered_tier(t.tier)
    pause = hist.paused(now)
    spans = {FIRST_REPLY: k.config.tiers[t.tier].first_reply,
             RESOLVE: k.config.resolve_targets[t.tier]}
    out = []
    for kind, span in spans.items():
        due = _after(k, t, hist.start, span) + pause
        met = kind == FIRST_REPLY and t.first_reply_at is not None
        # Escalated into a tier whose target had already passed: the escalation was the answer.
        warn_at = _after(k, t, hist.start, span * k.config.sla.warn_ratio) + pause
        out.append(Target(kind, t.tier, warn_at, due, not met and entered < due))
    return out


def next_target(k: Kefu, t: Ticket, now: datetime) -> tuple[Target | None, bool]:
    """The target the ticket works toward now (None when all are met), and whether the
    clock is stopped (waiting for the buyer)."""
    hist = history(k, t)
    live = [g for g in targets(k, t, hist, now) if g.live]
    return (min(live, key=lambda g: g.due) if live else None), hist.waiting()


def _after(k: Kefu, t: Ticket, start: datetime, span: timedelta) -> datetime:
    """start + span of the ticket's tier's business time."""
    days_only = k.config.tiers[t.tier].working_days_only
    return add_business_time(start, span, k.config.eta.hours, days_only)
