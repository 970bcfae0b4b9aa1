"""The promise rules, each with a fixed clock (2026-11-23 is a Monday in Shanghai)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.eta import (
    SAFETY_Z,
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
OFFICE = BusinessHours(time(9), time(18), SH, workdays_only=True)
ALWAYS = BusinessHours(time(0), time(0), SH)
NIGHT = BusinessHours(time(20), time(2), SH)
POLICY = EtaPolicy(HOURS)
A = TierSla("A", timedelta(hours=2))
B = TierSla("B", timedelta(minutes=5))
MIN = timedelta(minutes=1)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Shanghai wall-clock time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def queue(ahead: int = 0, agents: int = 2, pickup: int = 10, handle: int = 15) -> QueueState:
    """A queue in whole minutes."""
    return QueueState(ahead, agents, timedelta(minutes=pickup), timedelta(minutes=handle))


def test_empty_queue_promises_pickup_time_rounded_up_to_five_minutes() -> None:
    p = estimate(at(23, 14, 31), A, queue(), POLICY)
    assert p.due == at(23, 14, 45) and p.wait == 10 * MIN and not p.at_risk


def test_exact_five_minute_mark_is_not_rounded_further() -> None:
    assert estimate(at(23, 14, 25), A, queue(), POLICY).due == at(23, 14, 35)


def test_seconds_past_a_mark_round_up_to_the_next_one() -> None:
    now = at(23, 14, 25) + timedelta(microseconds=1)
    assert estimate(now, A, queue(), POLICY).due == at(23, 14, 40)


def test_open_shop_starts_the_clock_now() -> None:
    p = estimate(at(23, 14), A, queue(), POLICY)
    assert p.starts_at == at(23, 14) and not p.starts_later


def test_tickets_ahead_are_shared_between_agents_on_duty() -> None:
    # 5 ahead, 2 free agents: they take two at once, then 4 more tickets must finish (at 2 per
    # 15 minutes) before this one is picked up, plus a margin of SAFETY_Z * sqrt(4) finishes.
    # (It used to be whole rounds, 5 // 2 * 15 = 30 minutes: the simulated day in
    # benchmarks/eta_sim.py kept only ~70 % of tier A promises with that rule.)
    wait = estimate(at(23, 14), A, queue(ahead=5, agents=2), POLICY).wait
    assert wait == 10 * MIN + (4 + SAFETY_Z * 2) * 7.5 * MIN


def test_busy_agents_must_finish_before_the_ticket_is_picked_up() -> None:
    # Nobody ahead but both agents busy: one of them has to finish first.
    busy = QueueState(0, 2, 10 * MIN, 15 * MIN, busy=2)
    assert estimate(at(23, 14), A, busy, POLICY).wait == 10 * MIN + (1 + SAFETY_Z) * 7.5 * MIN
    assert estimate(at(23, 14), A, queue(agents=2), POLICY).wait == 10 * MIN  # one is free


def test_urgent_newcomers_stretch_the_queue_but_not_the_pickup() -> None:
    calm = QueueState(5, 2, 10 * MIN, 15 * MIN)
    busy_day = QueueState(5, 2, 10 * MIN, 15 * MIN, cut_in=0.5)
    calm_wait = estimate(at(23, 14), A, calm, POLICY).wait
    assert estimate(at(23, 14), A, busy_day, POLICY).wait - 10 * MIN == 2 * (calm_wait - 10 * MIN)


def test_cut_in_of_the_whole_capacity_is_rejected() -> None:
    with pytest.raises(ValueError, match="cut_in"):
        QueueState(0, 1, MIN, MIN, cut_in=1.0)


def test_no_agent_on_duty_adds_a_handling_time() -> None:
    assert estimate(at(23, 14), A, queue(agents=0), POLICY).wait == 25 * MIN


def test_no_agent_on_duty_works_through_the_queue_alone() -> None:
    # Treated as one agent for the queue, plus one handle time for being busy or absent.
    assert estimate(at(23, 14), A, queue(ahead=2, agents=0), POLICY).wait == 55 * MIN


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


@pytest.mark.parametrize(("t", "open_"), [
    (at(23, 8, 59), False), (at(23, 9), True), (at(23, 23, 59), True), (at(24, 0), False),
])
def test_opening_time_is_inside_and_closing_time_is_outside(t: datetime, open_: bool) -> None:
    assert is_open(t, HOURS) is open_


def test_always_open_shop_never_defers() -> None:
    p = estimate(at(23, 3), A, queue(), EtaPolicy(ALWAYS))
    assert p.due == at(23, 3, 10) and not p.starts_later


def test_always_open_shop_runs_straight_through_midnight() -> None:
    assert estimate(at(23, 23, 55), A, queue(), EtaPolicy(ALWAYS)).due == at(24, 0, 5)


def test_always_open_shop_on_working_days_pauses_over_the_weekend() -> None:
    hours = BusinessHours(time(0), time(0), SH, workdays_only=True)
    assert add_business_time(at(27, 23, 55), 10 * MIN, hours) == at(30, 0, 5)  # Fri -> Mon


def test_overnight_window_runs_past_midnight() -> None:
    assert is_open(at(24, 1), NIGHT) and not is_open(at(24, 3), NIGHT)
    assert next_opening(at(24, 3), NIGHT) == at(24, 20)
    assert add_business_time(at(24, 1, 50), 20 * MIN, NIGHT) == at(24, 20, 10)


def test_overnight_window_belongs_to_the_day_it_opens() -> None:
    # Friday's 20:00-02:00 shift still runs into Saturday; Saturday's own shift does not happen.
    night = BusinessHours(time(20), time(2), SH, workdays_only=True)
    assert is_open(at(28, 1), night) and not is_open(at(28, 21), night)


def test_workdays_only_skips_the_national_day_holiday() -> None:
    p = estimate(at(1, 10, month=10), A, queue(), EtaPolicy(OFFICE))
    assert p.starts_later and p.due == at(8, 9, 10, month=10)


def test_wait_cut_by_the_holiday_resumes_after_it() -> None:
    # 1 h on Wed 30 Sep, 1 h on Thu 8 Oct: the seven holiday days do not count.
    assert add_business_time(at(30, 17, month=9), 2 * timedelta(hours=1), OFFICE) == at(
        8, 10, month=10)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 10, 1), False),  # National Day, a Thursday
    (date(2026, 10, 3), False),  # ordinary Saturday inside the holiday
    (date(2026, 9, 20), True),  # Sunday worked in exchange (调休)
    (date(2026, 10, 10), True),  # Saturday worked in exchange (调休)
    (date(2026, 10, 9), True),  # ordinary Friday
])
def test_working_days_follow_the_published_holiday_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_make_up_workday_on_a_weekend_opens_the_office() -> None:
    p = estimate(at(10, 10, month=10), A, queue(), EtaPolicy(OFFICE))  # Saturday 调休
    assert not p.starts_later and p.due == at(10, 10, 10, month=10)


@pytest.mark.parametrize(("day", "working"), [
    (date(2027, 1, 4), True), (date(2027, 1, 3), False),  # first year the data lacks
    (date(2099, 3, 2), True), (date(2099, 3, 1), False),
    (date(2003, 12, 31), True), (date(2003, 12, 28), False),  # before the data starts
])
def test_working_day_falls_back_to_weekdays_beyond_the_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_tier_in_working_days_pauses_on_weekends() -> None:
    tier = TierSla("A", timedelta(hours=2), working_days_only=True)
    p = estimate(at(28, 10), tier, queue(), POLICY)  # a Saturday
    assert p.starts_later and p.due == at(30, 9, 10)


def test_long_queue_beyond_the_tier_target_is_flagged_at_risk() -> None:
    p = estimate(at(23, 14), B, queue(ahead=10), POLICY)
    assert p.at_risk and p.due == at(23, 15, 25)


def test_wait_exactly_at_the_tier_target_is_not_at_risk() -> None:
    assert not estimate(at(23, 14), B, queue(pickup=5), POLICY).at_risk


def test_utc_input_is_converted_to_local_time() -> None:
    p = estimate(datetime(2026, 11, 23, 6, 31, tzinfo=UTC), A, queue(), POLICY)
    assert p.due == at(23, 14, 45) and p.due.tzinfo == SH


def test_utc_input_late_at_night_local_time_starts_at_local_opening() -> None:
    p = estimate(datetime(2026, 11, 22, 18, 0, tzinfo=UTC), A, queue(), POLICY)  # 02:00 local
    assert p.starts_later and p.starts_at == at(23, 9)


def test_business_time_is_real_elapsed_time_across_a_dst_change() -> None:
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 8, 1, 30, tzinfo=ny)  # clocks jump 02:00 -> 03:00
    end = add_business_time(start, timedelta(hours=1), BusinessHours(time(0), time(0), ny))
    # Same-zone subtraction is wall-clock in Python; compare in UTC to see real elapsed time.
    assert end == datetime(2026, 3, 8, 3, 30, tzinfo=ny)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=1)


NAIVE = datetime(2026, 11, 23, 14)


@pytest.mark.parametrize("call", [
    lambda: estimate(NAIVE, A, queue(), POLICY),
    lambda: is_open(NAIVE, HOURS),
    lambda: next_opening(NAIVE, HOURS),
    lambda: add_business_time(NAIVE, MIN, HOURS),
    lambda: format_due(NAIVE, at(23, 14)),
])
def test_naive_datetime_is_rejected(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_queue_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        queue(ahead=-1)


@pytest.mark.parametrize(("due", "now", "shown"), [
    (at(23, 14, 35), at(23, 14), "14:35"),
    (at(24, 9, 5), at(23, 14), "明天 09:05"),
    (at(25, 9, 5), at(23, 14), "11月25日 09:05"),
    (at(1, 9, 5, month=12), at(30, 23), "明天 09:05"),  # across a month end
    (datetime(2026, 11, 23, 6, 35, tzinfo=UTC), at(23, 14), "14:35"),  # stored in UTC
])
def test_format_due_shows_clock_then_day_when_not_today(
        due: datetime, now: datetime, shown: str) -> None:
    assert format_due(due, now) == shown
