"""Clock arithmetic on real elapsed time: in UTC, then back to the caller's zone for display."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def shift(t: datetime, delta: timedelta) -> datetime:
    """t + delta of elapsed time, on t's clock."""
    # Aware arithmetic in one ZoneInfo is wall-clock arithmetic: across a DST change
    # 01:50 EDT + 15 minutes would land an hour off. UTC has no changes.
    return (t.astimezone(UTC) + delta).astimezone(t.tzinfo)
