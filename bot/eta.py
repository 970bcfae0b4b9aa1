"""Honest first-reply promises: queue, agents on duty, business hours, working days.

Pure: callers pass `now`; nothing here reads the clock or the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

MIDNIGHT = time(0, 0)


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


@dataclass(frozen=True)
class EtaPolicy:
    """Business hours plus the floor and rounding of every promise."""

    hours: BusinessHours
    minimum: timedelta = timedelta(minutes=5)
    round_to: timedelta = timedelta(minutes=5)


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
        return d.weekday() < 5


def _day_open(d: date, hours: BusinessHours, working_days_only: bool) -> bool:
    return not (hours.workdays_only or working_days_only) or is_working_day(d)


def _windows(d: date, hours: BusinessHours) -> list[tuple[datetime, datetime]]:
    """Opening windows that start on local day d (a wrapping window ends the next day)."""
    start = datetime.combine(d, hours.opens, hours.tz)
    if hours.opens == hours.closes == MIDNIGHT:
        return [(start, start + timedelta(days=1))]
    end_day = d if hours.closes > MIDNIGHT and hours.closes > hours.opens else d + timedelta(1)
    return [(start, datetime.combine(end_day, hours.closes, hours.tz))]


def _open_windows(t: datetime, hours: BusinessHours, working_days_only: bool,
                  days: int = 400) -> list[tuple[datetime, datetime]]:
    """Windows that end after t, in order, for the days the shop is open."""
    found = []
    first = t.astimezone(hours.tz).date() - timedelta(days=1)
    for offset in range(days):
        d = first + timedelta(days=offset)
        if not _day_open(d, hours, working_days_only):
            continue
        found.extend(w for w in _windows(d, hours) if w[1] > t)
        if len(found) >= 3:
            break
    return found


def _check_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("eta needs timezone-aware datetimes (got a naive one)")


def is_open(t: datetime, hours: BusinessHours, working_days_only: bool = False) -> bool:
    """Whether people are answering at t."""
    _check_aware(t)
    return any(start <= t < end for start, end in _open_windows(t, hours, working_days_only))


def next_opening(t: datetime, hours: BusinessHours, working_days_only: bool = False) -> datetime:
    """t itself when open, else the start of the next opening window."""
    _check_aware(t)
    start, _ = _open_windows(t, hours, working_days_only)[0]
    return max(start, t).astimezone(hours.tz)


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours,
                      working_days_only: bool = False) -> datetime:
    """start + duration counting only open time (the clock pauses while closed)."""
    _check_aware(start)
    t, left = start, duration
    while True:
        for w_start, w_end in _open_windows(t, hours, working_days_only):
            t = max(t, w_start)
            if t + left <= w_end:
                return (t + left).astimezone(hours.tz)
            left -= w_end - t
            t = w_end


def queue_wait(queue: QueueState) -> timedelta:
    """Business-time wait before the first reply."""
    rounds = queue.ahead // max(queue.agents_on_duty, 1)
    wait = queue.pickup + rounds * queue.avg_handle
    if queue.agents_on_duty == 0:
        # Nobody is free now: someone has to come on duty or finish elsewhere first.
        wait += queue.avg_handle
    return wait


def round_up(t: datetime, step: timedelta) -> datetime:
    """Round a local clock time up to a multiple of step (14:31 -> 14:35, 14:35 stays)."""
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = math.ceil((t - midnight) / step)
    return midnight + steps * step


def estimate(now: datetime, sla: TierSla, queue: QueueState, policy: EtaPolicy) -> Promise:
    """The promised first-reply time for a ticket opened now."""
    _check_aware(now)
    days = sla.working_days_only
    starts_at = next_opening(now, policy.hours, days)
    wait = max(queue_wait(queue), policy.minimum)
    due = add_business_time(starts_at, wait, policy.hours, days)
    return Promise(
        due=round_up(due.astimezone(policy.hours.tz), policy.round_to),
        wait=wait,
        at_risk=wait > sla.first_reply,
        starts_later=starts_at > now,
        starts_at=starts_at,
    )


def format_due(due: datetime, now: datetime) -> str:
    """"14:35" today, "明天 09:05" tomorrow, else "11月25日 09:05" (in now's zone)."""
    due = due.astimezone(now.tzinfo)
    local_now = now
    clock = due.strftime("%H:%M")
    if due.date() == local_now.date():
        return clock
    if due.date() == local_now.date() + timedelta(days=1):
        return f"明天 {clock}"
    return f"{due.month}月{due.day}日 {clock}"
