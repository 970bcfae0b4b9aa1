"""Pull the details a ticket needs (order number, amount, demand) out of a buyer's message.

Pure functions over any str: they never raise on text and read at most the first
intents.prepare.MAX_TEXT characters. The parts live in order_numbers, amounts and demands.
"""

from __future__ import annotations

from dataclasses import dataclass

from intents.amounts import extract_amount
from intents.demands import extract_demand, parse_demand_answer
from intents.order_numbers import (
    DEFAULT_ORDER_PATTERN,
    canonical_order_no,
    extract_order_no,
    looks_like_order_attempt,
)

# The front door: callers import these from here.
__all__ = ["DEFAULT_ORDER_PATTERN", "Details", "canonical_order_no", "extract",
           "extract_amount", "extract_demand", "extract_order_no", "looks_like_order_attempt",
           "parse_demand_answer"]


@dataclass(frozen=True)
class Details:
    """What one message says about the ticket; None where it says nothing."""

    order_no: str | None = None
    amount: float | None = None  # yuan
    demand: str | None = None  # "补发" | "退款" | "查询" | "其他"


def extract(text: str, order_pattern: str = DEFAULT_ORDER_PATTERN) -> Details:
    """All details one message carries."""
    return Details(extract_order_no(text, order_pattern), extract_amount(text),
                   extract_demand(text))
