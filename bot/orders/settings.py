"""The `orders:` section of kefu.yaml: which backend, how to reach it, the remedy limits.

Errors are ValueErrors naming the key; bot.config_values turns them into ConfigErrors.
The API token is never stored here: only the name of the environment variable
that holds it, read when a request is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# HttpSettings, ORDER_FIELDS and MAX_SECONDS have their home in http_settings; named here too
# because callers have long imported them from this module.
from bot.orders.http_settings import (
    HTTP_DEFAULTS,
    MAX_SECONDS,
    ORDER_FIELDS,
    HttpSettings,
    parse_http,
)

__all__ = ["BACKENDS", "DEFAULTS", "MAX_SECONDS", "ORDER_FIELDS", "OWNER_PROOFS",
           "HttpSettings", "OrdersSettings", "parse_orders"]

BACKENDS = ("none", "sqlite", "http")
OWNER_PROOFS = ("telegram", "contact")

DEFAULTS: dict[str, Any] = {
    "backend": "none",
    "small_order_amount": 50,
    "auto_refund_daily_cap": 20,
    "check_owner": True,
    "owner_proof": "telegram",
    "delivery_minutes": 10,
    "recharge_minutes": 30,
    "repeat_claims": 3,
    "resends_per_order_per_day": 1,
    "resends_per_buyer_per_day": 3,
    "http": HTTP_DEFAULTS,
}


@dataclass(frozen=True)
class OrdersSettings:
    """Which order backend kefu asks, and the limits of what it does on its own."""

    backend: str = "none"
    small_order_amount: float = 50.0  # failed orders up to this many 元 are refunded at once
    auto_refund_daily_cap: int = 20  # fast-path refunds a day; beyond it agents decide
    check_owner: bool = True  # describe an order only to the Telegram user it names
    # How a buyer shows an order is theirs with kefu's own table: "telegram" (the `buyer`
    # column holds Telegram ids) or "contact" (kefu asks for the checkout contact or email).
    owner_proof: str = "telegram"
    delivery_minutes: int = 10  # a paid card order not delivered after this is stuck
    recharge_minutes: int = 30  # the usual time a direct top-up takes
    repeat_claims: int = 3  # "not received" claims on this many orders in 30 days: flagged
    resends_per_order_per_day: int = 1  # automatic resends of one order a day; then a person
    resends_per_buyer_per_day: int = 3  # and of one buyer's orders together a day
    http: HttpSettings = field(default_factory=HttpSettings)


def parse_orders(raw: Mapping[str, Any]) -> OrdersSettings:
    """Validate the merged `orders:` mapping."""
    backend = str(raw["backend"] or "none").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"orders.backend: expected one of {', '.join(BACKENDS)}, "
                         f"got {raw['backend']!r}")
    if not isinstance(raw["check_owner"], bool):
        raise ValueError(f"orders.check_owner: expected true or false, got {raw['check_owner']!r}")
    owner_proof = str(raw["owner_proof"] or "").strip().lower()
    if owner_proof not in OWNER_PROOFS:
        raise ValueError(f"orders.owner_proof: expected one of {', '.join(OWNER_PROOFS)}, "
                         f"got {raw['owner_proof']!r}")
    return OrdersSettings(
        backend=backend, owner_proof=owner_proof,
        small_order_amount=_number(raw["small_order_amount"], "orders.small_order_amount",
                                   0, 100_000),
        auto_refund_daily_cap=int(_number(raw["auto_refund_daily_cap"],
                                          "orders.auto_refund_daily_cap", 0, 100_000, whole=True)),
        check_owner=raw["check_owner"],
        delivery_minutes=int(_number(raw["delivery_minutes"], "orders.delivery_minutes", 1,
                                     1440, whole=True)),
        recharge_minutes=int(_number(raw["recharge_minutes"], "orders.recharge_minutes", 1,
                                     1440, whole=True)),
        repeat_claims=int(_number(raw["repeat_claims"], "orders.repeat_claims", 2, 1000,
                                  whole=True)),
        resends_per_order_per_day=int(_number(raw["resends_per_order_per_day"],
                                              "orders.resends_per_order_per_day", 0, 100,
                                              whole=True)),
        resends_per_buyer_per_day=int(_number(raw["resends_per_buyer_per_day"],
                                              "orders.resends_per_buyer_per_day", 0, 1000,
                                              whole=True)),
        http=parse_http(raw["http"], required=backend == "http"))


def _number(value: Any, key: str, low: float, high: float, whole: bool = False) -> float:
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise ValueError(f"{key}: expected {what} from {low:g} to {high:g}, got {value!r}")
    return float(value)
