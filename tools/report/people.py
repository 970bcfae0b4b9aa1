"""Buyers' stars and each agent's tickets."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.records import RESOLVED
from tools.report.rows import AgentRow, TicketRow
from tools.report.stats import mean, minutes, percentile


@dataclass(frozen=True)
class Ratings:
    """Buyers' stars: how many, average, distribution, by agent and by intent."""

    count: int
    average: float | None
    distribution: dict[int, int]
    by_agent: dict[str, float | None]
    by_intent: dict[str, float | None]


@dataclass(frozen=True)
class AgentFigures:
    """One agent's tickets in the period."""

    name: str
    handled: int
    resolved: int
    first_reply_p50: float | None
    resolution_p50: float | None
    rating: float | None
    ratings: int


def first_reply(t: TicketRow) -> float | None:
    """Minutes from opening to the first agent reply."""
    return minutes(t.created_at, t.first_reply_at) if t.first_reply_at else None


def resolution(t: TicketRow) -> float | None:
    """Minutes from opening to (the last) resolution, for resolved tickets."""
    return minutes(t.created_at, t.resolved_at) if t.stage == RESOLVED and t.resolved_at \
        else None


def ratings(tickets: Sequence[TicketRow], names: Mapping[int, str],
            labels: Mapping[str, str]) -> Ratings:
    """Stars buyers gave to tickets opened in the period."""
    rated = [t for t in tickets if t.rating is not None]
    agent: dict[str, list[float]] = defaultdict(list)
    intent: dict[str, list[float]] = defaultdict(list)
    for t in rated:
        agent[names.get(t.agent_id, "-") if t.agent_id else "-"].append(t.rating)  # type: ignore[arg-type]
        intent[labels.get(t.intent, t.intent)].append(t.rating)  # type: ignore[arg-type]
    stars = Counter(t.rating for t in rated)
    return Ratings(len(rated), mean([t.rating for t in rated]),  # type: ignore[misc]
                   {n: stars[n] for n in range(1, 6)},
                   {k: mean(v) for k, v in sorted(agent.items())},
                   {k: mean(v) for k, v in sorted(intent.items())})


def agents(tickets: Sequence[TicketRow], roster: Sequence[AgentRow]) -> tuple[AgentFigures, ...]:
    """Per agent: tickets they hold, resolved, first-reply and resolution p50, their stars."""
    out = []
    for a in roster:
        mine = [t for t in tickets if t.agent_id == a.id]
        if not mine:
            continue
        firsts = [v for t in mine if (v := first_reply(t)) is not None]
        solved = [v for t in mine if (v := resolution(t)) is not None]
        stars = [t.rating for t in mine if t.rating is not None]
        out.append(AgentFigures(a.name, len(mine), len(solved), percentile(firsts, 50),
                                percentile(solved, 50), mean(stars), len(stars)))  # type: ignore[arg-type]
    return tuple(out)
