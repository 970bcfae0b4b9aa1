"""Honest first-reply promises: queue, agents on duty, business hours, working days.

Pure: callers pass `now`; nothing here reads the clock or the database.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

# Far beyond any real closure (Spring Festival is ~9 days); a bound keeps bad hours from hanging.
SEARCH_DAYS = 400
SAFETY_Z = 0.25  # margin in standard deviations of the queue wait (see benchmarks/eta_sim.py)


@dataclass(frozen=True)
class BusinessHours:
    """When people answer. closes == 00:00 means until midnight; closes <= opens wraps."""

    opens: time
    closes: time
    tz: ZoneInfo
    workdays_only: bool = False


@dataclass(frozen=True)
class TierSla:
    """A priority tier's first-reply target."""

    tier: str
    first_reply: timedelta
    working_days_only: bool = False


@dataclass(frozen=True)
class QueueState:
    """What stands between a new ticket and its first reply."""

    ahead: int
    agents_on_duty: int
    pickup: timedelta
    avg_handle: timedelta
    busy: int = 0  # agents on duty already working a ticket
    cut_in: float = 0.0  # share of agents' time more urgent newcomers will take meanwhile

    def __post_init__(self) -> None:
        """Reject counts and durations that would produce a promise earlier than the truth."""
        if self.ahead < 0 or self.agents_on_duty < 0 or self.busy < 0:
            raise ValueError("queue counts cannot be negative")
        if not 0 <= self.cut_in < 1:
            raise ValueError("cut_in must be a share from 0 to below 1")
        if self.pickup < timedelta(0) or self.avg_handle < timedelta(0):
            raise ValueError("queue durations cannot be negative")


@dataclass(frozen=True)
class EtaPolicy:
    """Business hours plus the floor and rounding of every promise."""

    hours: BusinessHours
    minimum: timedelta = timedelta(minutes=5)
    round_to: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        """Rounding to a zero step is undefined."""
        if self.round_to <= timedelta(0):
            raise ValueError("round_to must be positive")


@dataclass(frozen=True)
class Promise:
    """A promised first-reply time and how it was reached."""

    due: datetime
    wait: timedelta
    at_risk: bool
    starts_later: bool
    starts_at: datetime


def is_working_day(d: date) -> bool:
    """Chinese working day (holidays and 调休 included); Mon-Fri beyond the calendar's data."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        # The package only knows years the State Council has announced; guess a plain week.
        return d.weekday() < 5


def _day_open(d: date, hours: BusinessHours, working_days_only: bool) -> bool:
    """Whether the window that opens on local day d happens at all."""
    return not (hours.workdays_only or working_days_only) or is_working_day(d)


def _window(d: date, hours: BusinessHours) -> tuple[datetime, datetime]:
    """The opening window that starts on local day d, in UTC (a wrapping one ends on d + 1)."""
    start = datetime.combine(d, hours.opens, hours.tz)
    end_day = d if hours.closes > hours.opens else d + timedelta(days=1)
    end = datetime.combine(end_day, hours.closes, hours.tz)
    # UTC so durations are real elapsed time even in zones with DST.
    return start.astimezone(UTC), end.astimezone(UTC)


def _windows_after(t: datetime, hours: BusinessHours,
                   working_days_only: bool) -> Iterator[tuple[datetime, datetime]]:
    """Open windows that end after t, in order; raises if none within SEARCH_DAYS."""
    # Start a day early: yesterday's overnight window may still be running.
    d = t.astimezone(hours.tz).date() - timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        if _day_open(d, hours, working_days_only):
            start, end = _window(d, hours)
            if end > t:
                yield start, end
        d += timedelta(days=1)
    raise ValueError(f"no business hours within {SEARCH_DAYS} days of {t.isoformat()}")


def _check_aware(t: datetime) -> None:
    """Naive times are ambiguous: a promise must know which clock it is on."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"eta needs timezone-aware datetimes (got naive {t.isoformat()})")


def is_open(t: datetime, hours: BusinessHours, working_days_only: bool = False) -> bool:
    """Whether people are answering at t."""
    _check_aware(t)
    start, _ = next(_windows_after(t, hours, working_days_only))
    return start <= t


def next_opening(t: datetime, hours: BusinessHours, working_days_only: bool = False) -> datetime:
    """t itself (in hours.tz) when open, else the start of the next opening window."""
    _check_aware(t)
    start, _ = next(_windows_after(t, hours, working_days_only))
    return max(start, t).astimezone(hours.tz)


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours,
                      working_days_only: bool = False) -> datetime:
    """start + duration counting only open time (the clock pauses while closed)."""
    _check_aware(start)
    if duration < timedelta(0):
        raise ValueError("duration cannot be negative")
    t, left = start.astimezone(UTC), duration
    for w_start, w_end in _windows_after(t, hours, working_days_only):
        t = max(t, w_start)
        if t + left <= w_end:
            return (t + left).astimezone(hours.tz)
        left -= w_end - t
        t = w_end
    raise AssertionError("unreachable: _windows_after raises when it runs out")


def queue_wait(queue: QueueState) -> timedelta:
    """Business-time wait before the first reply, before the policy minimum."""
    if queue.agents_on_duty == 0:
        # Nobody is free now: someone has to come on duty or finish elsewhere first.
        return queue.pickup + (queue.ahead + 1) * queue.avg_handle
    # Tickets finish at agents / handle per minute; this one starts once enough have finished
    # to free an agent for everything ahead of it (busy agents count: they free up later).
    free = max(queue.agents_on_duty - min(queue.busy, queue.agents_on_duty), 0)
    finishes = max(queue.ahead + 1 - free, 0)
    # Each promise is kept or broken on its own: promise a high percentile of the wait, not its
    # mean (m finishes vary by about sqrt(m) handling times when handling times are skewed).
    rounds = finishes + SAFETY_Z * math.sqrt(finishes)
    # Tickets of a more urgent tier that arrive meanwhile are served first and slow the rest.
    return queue.pickup + rounds * queue.avg_handle / queue.agents_on_duty / (1 - queue.cut_in)


def round_up(t: datetime, step: timedelta) -> datetime:
    """Round up to a multiple of step on t's local clock (14:31 -> 14:35, 14:35 stays)."""
    # On UTC with t's own offset: wall-clock arithmetic on an aware time ignores a DST change,
    # and at 01:50 EDT on the autumn change day "01:05" read as EDT is 45 minutes ago.
    offset = t.utcoffset() or timedelta(0)
    wall = t.astimezone(UTC).replace(tzinfo=None) + offset
    midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    # Integer ceiling on timedeltas: float division could turn 14:35 into 14:40.
    steps = -((midnight - wall) // step)
    mark = (midnight + steps * step - offset).replace(tzinfo=UTC)
    return mark.astimezone(t.tzinfo)


def estimate(now: datetime, sla: TierSla, queue: QueueState, policy: EtaPolicy) -> Promise:
    """The promised first-reply time for a ticket opened now."""
    _check_aware(now)
    days_only = sla.working_days_only
    starts_at = next_opening(now, policy.hours, days_only)
    wait = max(queue_wait(queue), policy.minimum)
    due = add_business_time(starts_at, wait, policy.hours, days_only)
    return Promise(
        due=round_up(due, policy.round_to),
        wait=wait,
        at_risk=wait > sla.first_reply,
        starts_later=starts_at > now,
        starts_at=starts_at,
    )


def format_due(due: datetime, now: datetime) -> str:
    """"14:35" today, "明天 09:05" tomorrow, else "11月25日 09:05", on now's local clock;
    the zone's name follows when the clocks change in between ("01:05 EST")."""
    _check_aware(due)
    _check_aware(now)
    # now's zone, not due's: promises come back from the store in UTC, buyers read local time.
    due = due.astimezone(now.tzinfo)
    clock = due.strftime("%H:%M")
    if due.utcoffset() != now.utcoffset():  # 01:05 after 01:50 reads as the past without it
        clock = f"{clock} {due.tzname()}"
    if due.date() == now.date():
        return clock
    if due.date() == now.date() + timedelta(days=1):
        return f"明天 {clock}"
    return f"{due.month}月{due.day}日 {clock}"
