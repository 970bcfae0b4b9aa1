"""Promises in zones with DST: arithmetic in UTC, so no promise is ever in the past."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import shift
from bot.eta import BusinessHours, EtaPolicy, QueueState, TierSla, estimate, format_due, round_up

NY = ZoneInfo("America/New_York")
A = TierSla("A", timedelta(hours=2))
MIN = timedelta(minutes=1)
# Instants (UTC) of each zone's clock changes.
CHANGES = {
    "America/New_York": [datetime(2026, 3, 8, 7, tzinfo=UTC),
                         datetime(2026, 11, 1, 6, tzinfo=UTC)],
    "Europe/Berlin": [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)],
    "Australia/Sydney": [datetime(2026, 4, 4, 16, tzinfo=UTC),
                         datetime(2026, 10, 3, 16, tzinfo=UTC)],
    # Brazil dropped DST in 2019: its last changes are the interesting ones.
    "America/Sao_Paulo": [datetime(2019, 2, 17, 2, tzinfo=UTC),
                          datetime(2018, 11, 4, 3, tzinfo=UTC)],
}


def _queue(handle: int = 5, pickup: int = 10) -> QueueState:
    return QueueState(ahead=0, agents_on_duty=1, pickup=pickup * MIN, avg_handle=handle * MIN)


def test_at_0150_edt_on_the_autumn_change_day_the_promise_is_later_not_0100() -> None:
    now = datetime(2026, 11, 1, 1, 50, tzinfo=NY)  # fold 0: EDT, 05:50 UTC
    policy = EtaPolicy(BusinessHours(time(0), time(0), NY))
    p = estimate(now, A, _queue(pickup=15), policy)
    assert p.due.astimezone(UTC) >= now.astimezone(UTC) + 15 * MIN
    assert p.due.astimezone(UTC) == datetime(2026, 11, 1, 6, 5, tzinfo=UTC)  # 01:05 EST
    assert format_due(p.due, now) == "01:05 EST"


def test_shift_counts_elapsed_time_across_the_change() -> None:
    now = datetime(2026, 11, 1, 1, 50, tzinfo=NY)
    assert shift(now, 15 * MIN).astimezone(UTC) == datetime(2026, 11, 1, 6, 5, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(sorted(CHANGES)), which=st.integers(0, 1),
       offset=st.integers(-180, 180), seconds=st.integers(0, 59),
       handle=st.integers(0, 90), step=st.sampled_from([1, 5, 10, 15, 30]),
       opens=st.sampled_from([time(0), time(1), time(2), time(9)]))
def test_no_zone_gives_a_promise_in_the_past(zone: str, which: int, offset: int, seconds: int,
                                             handle: int, step: int, opens: time) -> None:
    tz = ZoneInfo(zone)
    now = (CHANGES[zone][which] + offset * MIN + seconds * timedelta(seconds=1)).astimezone(tz)
    policy = EtaPolicy(BusinessHours(opens, time(0), tz), round_to=step * MIN)
    p = estimate(now, A, _queue(handle), policy)
    assert p.due.astimezone(UTC) >= now.astimezone(UTC) + policy.minimum
    assert p.starts_at.astimezone(UTC) >= now.astimezone(UTC)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(sorted(CHANGES)), which=st.integers(0, 1),
       offset=st.integers(-7200, 7200), step=st.sampled_from([1, 5, 10, 15, 30, 60]))
def test_rounding_never_goes_back_in_time(zone: str, which: int, offset: int,
                                          step: int) -> None:
    t = (CHANGES[zone][which] + offset * timedelta(seconds=1)).astimezone(ZoneInfo(zone))
    rounded = round_up(t, step * MIN)
    assert t.astimezone(UTC) <= rounded.astimezone(UTC) < t.astimezone(UTC) + step * MIN
