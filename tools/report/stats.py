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
    """part / whole to 0.001 (halves up), None when there is nothing to divide."""
    # Whole numbers, not round(): round() takes 5/16 to 0.312, SQLite to 0.313, and the
    # dashboard's canned queries must give the figure the report gives (share_sql).
    return (part * 2000 + whole) // (2 * whole) / 1000 if whole else None


def share_sql(part: str, whole: str) -> str:
    """share() as SQL over two whole-number expressions."""
    return f"(({part}) * 2000 + ({whole})) / (2 * nullif({whole}, 0)) / 1000.0"


def mean(values: Sequence[float]) -> float | None:
    """Average to 0.01, None for no values."""
    return round(sum(values) / len(values), 2) if values else None
