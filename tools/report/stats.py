"""Small numeric helpers shared by the figures (and mirrored by the dashboard's SQL)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: a value that really occurred (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def minutes(start: datetime, end: datetime) -> float:
    """Minutes from start to end, to 0.1."""
    return round((end - start).total_seconds() / 60, 1)


def share(part: int, whole: int) -> float | None:
    """part / whole to 0.001, None when there is nothing to divide."""
    return round(part / whole, 3) if whole else None


def mean(values: Sequence[float]) -> float | None:
    """Average to 0.01, None for no values."""
    return round(sum(values) / len(values), 2) if values else None
