"""The promise rules, each with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.eta import (
    BusinessHours,
    EtaPolicy,
    QueueState,
    TierSla,
    add_business_time,
    estimate,
    format_due,
    is_open,
    is_working_day,
    next_opening,
)

SH = ZoneInfo("Asia/Shanghai")
HOURS = BusinessHours(time(9), time(0), SH)  # 09:00-24:00 every day
POLICY = EtaPolicy(HOURS)
A = TierSla("A", timedelta(hours=2))
B = TierSla("B", timedelta(minutes=5))
MIN = timedelta(minutes=1)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def queue(ahead: int = 0, agents: int = 2, pickup: int = 10, handle: int = 15) -> QueueState:
    return QueueState(ahead, agents, timedelta(minutes=pickup), timedelta(minutes=handle))


def test_empty_queue_promises_pickup_time_rounded_up_to_five_minutes() -> None:
    p = estimate(at(23, 14, 31), A, queue(), POLICY)
    assert p.due == at(23, 14, 45) and p.wait == 10 * MIN and not p.at_risk


def test_exact_five_minute_mark_is_not_rounded_further() -> None:
    assert estimate(at(23, 14, 25), A, queue(), POLICY).due == at(23, 14, 35)


def test_tickets_ahead_are_shared_between_agents_on_duty() -> None:
    # 5 ahead, 2 agents: two full rounds of 15 minutes before this one is picked up.
    assert estimate(at(23, 14), A, queue(ahead=5, agents=2), POLICY).wait == 40 * MIN


def test_no_agent_on_duty_adds_a_handling_time() -> None:
    assert estimate(at(23, 14), A, queue(agents=0), POLICY).wait == 25 * MIN


def test_minimum_applies_to_tiny_estimates() -> None:
    policy = EtaPolicy(HOURS, minimum=timedelta(minutes=30))
    assert estimate(at(23, 14), A, queue(pickup=1), policy).wait == 30 * MIN


def test_asked_at_night_starts_at_opening_and_says_so() -> None:
    p = estimate(at(23, 2), A, queue(), POLICY)
    assert p.starts_later and p.starts_at == at(23, 9)
    assert p.due == at(23, 9, 10)


def test_wait_crossing_midnight_closing_continues_next_morning() -> None:
    p = estimate(at(23, 23, 55), A, queue(), POLICY)
    assert p.due == at(24, 9, 5) and not p.starts_later


def test_always_open_shop_never_defers() -> None:
    policy = EtaPolicy(BusinessHours(time(0), time(0), SH))
    assert estimate(at(23, 3), A, queue(), policy).due == at(23, 3, 10)


def test_overnight_window_runs_past_midnight() -> None:
    night = BusinessHours(time(20), time(2), SH)
    assert is_open(at(24, 1), night) and not is_open(at(24, 3), night)
    assert next_opening(at(24, 3), night) == at(24, 20)
    assert add_business_time(at(24, 1, 50), 20 * MIN, night) == at(24, 20, 10)


def test_workdays_only_skips_the_national_day_holiday() -> None:
    hours = BusinessHours(time(9), time(18), SH, workdays_only=True)
    p = estimate(at(1, 10, month=10), A, queue(), EtaPolicy(hours))
    assert p.starts_later and p.due == at(8, 9, 10, month=10)


def test_make_up_workday_on_a_weekend_counts() -> None:
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday.
    assert is_working_day(date(2026, 10, 10)) and not is_working_day(date(2026, 10, 3))


def test_working_day_falls_back_to_weekdays_beyond_the_calendar() -> None:
    assert is_working_day(date(2099, 3, 2)) and not is_working_day(date(2099, 3, 1))


def test_tier_in_working_days_pauses_on_weekends() -> None:
    tier = TierSla("A", timedelta(hours=2), working_days_only=True)
    p = estimate(at(28, 10), tier, queue(), POLICY)  # a Saturday
    assert p.starts_later and p.due == at(30, 9, 10)


def test_long_queue_beyond_the_tier_target_is_flagged_at_risk() -> None:
    p = estimate(at(23, 14), B, queue(ahead=10), POLICY)
    assert p.at_risk and p.due == at(23, 15, 25)


def test_utc_input_is_converted_to_local_time() -> None:
    p = estimate(datetime(2026, 11, 23, 6, 31, tzinfo=UTC), A, queue(), POLICY)
    assert p.due == at(23, 14, 45) and p.due.tzinfo == SH


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        estimate(datetime(2026, 11, 23, 14), A, queue(), POLICY)


@pytest.mark.parametrize(("due", "shown"), [
    (at(23, 14, 35), "14:35"),
    (at(24, 9, 5), "明天 09:05"),
    (at(25, 9, 5), "11月25日 09:05"),
    (datetime(2026, 11, 23, 6, 35, tzinfo=UTC), "14:35"),
])
def test_format_due_shows_clock_then_day_when_not_today(due: datetime, shown: str) -> None:
    assert format_due(due, at(23, 14)) == shown
