"""The report's figures, computed from rows alone (no database, no clock)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.records import RESOLVED
from tools.report.people import AgentFigures, Ratings, agents, first_reply, ratings, resolution
from tools.report.rows import Dataset, EventRow, TicketRow
from tools.report.sessions import build_sessions
from tools.report.stats import minutes, percentile, share
from tools.report.volume import TIERS, Classify, Volume, volume


@dataclass(frozen=True)
class Settings:
    """What the figures are measured against."""

    tz: ZoneInfo
    now: datetime  # tickets with no reply yet count as a broken promise once this passes it
    labels: Mapping[str, str] = field(default_factory=dict)  # intent id -> 卡密未到账
    classify: Classify | None = None


@dataclass(frozen=True)
class Times:
    """p50 / p90 minutes over count tickets of a tier (nearest rank)."""

    tier: str
    count: int
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class Promises:
    """First promises (ETA) kept, broken, and still running."""

    kept: int
    broken: int
    pending: int
    kept_share: float | None


@dataclass(frozen=True)
class Sla:
    """Missed targets, escalations and reopenings."""

    breached_tickets: int
    breached_share: float | None
    breaches: dict[str, int]  # first_reply / resolve
    escalations: dict[str, int]  # manual / sla_first_reply / sla_resolve / chased
    reopened: int
    resolved: int
    reopen_rate: float | None


@dataclass(frozen=True)
class Series:
    """Raw samples the charts draw (not printed in the text report)."""

    first_reply: dict[str, list[float]]  # tier -> minutes
    eta: list[tuple[float, float]]  # (promised wait, actual wait) in minutes


@dataclass(frozen=True)
class Figures:
    """Everything `kefu report` shows except the FAQ gaps."""

    tickets: int
    volume: Volume
    first_reply: tuple[Times, ...]
    resolution: tuple[Times, ...]
    promises: Promises
    sla: Sla
    ratings: Ratings
    agents: tuple[AgentFigures, ...]
    series: Series


def compute(data: Dataset, s: Settings) -> Figures:
    """All figures for the period's rows."""
    opened = {e.ticket_id: e for e in data.events if e.event == "opened"}
    tier = {t.id: str(opened[t.id].data.get("tier", t.tier)) if t.id in opened else t.tier
            for t in data.tickets}
    sessions = build_sessions(data.messages, data.offers, data.tickets, data.opened_at)
    waited = [t for t in data.tickets if not t.handled_by_kefu]  # for a person
    firsts = _by_tier(waited, tier, first_reply)
    names = {a.id: a.name for a in data.agents}
    return Figures(
        len(data.tickets),
        volume(sessions, data.tickets, tier, s.tz, s.labels, s.classify),
        _times(firsts), _times(_by_tier(waited, tier, resolution)),
        promises(waited, opened, s.now), sla(data.tickets, data.events),
        ratings(data.tickets, names, s.labels), agents(data.tickets, data.agents),
        Series(firsts, _eta_pairs(waited, opened)))


def _by_tier(tickets: Sequence[TicketRow], tier: Mapping[int, str],
             measure: Callable[[TicketRow], float | None]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {t: [] for t in TIERS}
    for t in tickets:
        value = measure(t)
        if value is not None:
            out.setdefault(tier[t.id], []).append(value)
    return out


def _times(samples: Mapping[str, list[float]]) -> tuple[Times, ...]:
    return tuple(Times(t, len(v), percentile(v, 50), percentile(v, 90))
                 for t, v in samples.items())


def first_promise(t: TicketRow, opened: Mapping[int, EventRow]) -> datetime | None:
    """The reply time promised when the ticket was opened (later renewals do not count)."""
    raw = opened[t.id].data.get("promised_at") if t.id in opened else None
    return datetime.fromisoformat(raw) if raw else t.promised_at


def promises(tickets: Sequence[TicketRow], opened: Mapping[int, EventRow],
             now: datetime) -> Promises:
    """Whether each first reply came by the time first promised."""
    kept = broken = pending = 0
    for t in tickets:
        due = first_promise(t, opened)
        if due is None:
            continue
        if t.first_reply_at is not None:
            kept += t.first_reply_at <= due
            broken += t.first_reply_at > due
        elif now > due:
            broken += 1
        else:
            pending += 1
    return Promises(kept, broken, pending, share(kept, kept + broken))


def _eta_pairs(tickets: Sequence[TicketRow], opened: Mapping[int, EventRow]
               ) -> list[tuple[float, float]]:
    return [(minutes(t.created_at, due), minutes(t.created_at, t.first_reply_at))
            for t in tickets if (due := first_promise(t, opened)) and t.first_reply_at]


def sla(tickets: Sequence[TicketRow], events: Sequence[EventRow]) -> Sla:
    """Breaches (by target), escalations (by reason) and the reopen rate."""
    breached = sum(1 for t in tickets if t.breached_at is not None)
    breaches = Counter(str(e.data.get("target")) for e in events if e.event == "sla_breached")
    escalations = Counter(_escalation(e) for e in events
                          if e.event in ("escalated", "chase_escalated"))
    reopened = {e.ticket_id for e in events if e.event == "reopened"}
    resolved = {e.ticket_id for e in events if e.event == "resolved"} | {
        t.id for t in tickets if t.resolved_at and t.stage == RESOLVED}
    return Sla(breached, share(breached, len(tickets)), dict(breaches), dict(escalations),
               len(reopened), len(resolved), share(len(reopened), len(resolved)))


def _escalation(e: EventRow) -> str:
    """The report's reason; events written before bot/escalation.py are read too."""
    reason = str(e.data.get("reason") or "")
    if e.event == "chase_escalated" or reason == "chased":
        return "chased"
    if reason == "sla":
        return f"sla_{e.data.get('target')}"
    return reason if reason.startswith("sla_") else "manual"
