"""The `orders:` section of kefu.yaml: which backend, how to reach it, the remedy limits.

Errors are ValueErrors naming the key; bot.config_values turns them into ConfigErrors.
The API token is never stored here: only the name of the environment variable
that holds it, read when a request is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.orders.http_settings import (
    HTTP_DEFAULTS,
    MAX_SECONDS,
    ORDER_FIELDS,
    HttpSettings,
    number,
    parse_http,
)
from intents.extract import DEFAULT_ORDER_PATTERN

__all__ = ["BACKENDS", "DEFAULTS", "MAX_SECONDS", "ORDER_FIELDS", "OWNER_PROOFS",
           "HttpSettings", "OrdersSettings", "parse_orders"]

# The 发卡 systems kefu reads straight from their database (read-only, bot/orders/sqlorders.py).
SQL_BACKENDS = ("dujiaoka", "acgfaka", "dujiao_next")
BACKENDS = ("none", "sqlite", "http", *SQL_BACKENDS)
# Each system's order numbers, used when kefu.yaml sets no order_pattern: dujiaoka makes 16
# random [A-Z0-9]; acg-faka 18 digits (3 random, yymmddHHMMSS, 3 random); Dujiao-Next's docs
# show DN and a date with a sequence (DN202602110001).
ORDER_PATTERNS = {"dujiaoka": r"[A-Z0-9]{16}", "acgfaka": r"\d{18}",
                  "dujiao_next": r"DN\d{10,24}"}
DUJIAO_NEXT_MODES = ("db", "api")
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
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
    # The SQL backends: the connection URL is read from this environment variable (it holds
    # a password, so it never goes in kefu.yaml); acg-faka's table prefix; an optional view
    # giving each order's card-code tail, so kefu's database user needs no access to codes.
    "dsn_env": "KEFU_ORDERS_DSN",
    "table_prefix": "acg_",
    "tail_view": "",
    "dujiao_next": {"mode": "db"},
    "http": HTTP_DEFAULTS,
}


@dataclass(frozen=True)
class SqlSettings:
    """How to reach a 发卡 system's database (dujiaoka, acg-faka, Dujiao-Next in db mode)."""

    dsn_env: str = "KEFU_ORDERS_DSN"  # the environment variable holding the connection URL
    table_prefix: str = "acg_"  # acg-faka's tables: acg_order, acg_commodity, acg_pay
    tail_view: str = ""  # a view (order_no, tail) the shop made; empty: RIGHT() on the codes
    dujiao_next_mode: str = "db"


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
    sql: SqlSettings = field(default_factory=SqlSettings)

    @property
    def order_pattern(self) -> str:
        """The order numbers this backend's shop system makes (when kefu.yaml names none)."""
        return ORDER_PATTERNS.get(self.backend, DEFAULT_ORDER_PATTERN)


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
        small_order_amount=number(raw["small_order_amount"], "orders.small_order_amount",
                                   0, 100_000),
        auto_refund_daily_cap=int(number(raw["auto_refund_daily_cap"],
                                          "orders.auto_refund_daily_cap", 0, 100_000, whole=True)),
        check_owner=raw["check_owner"],
        delivery_minutes=int(number(raw["delivery_minutes"], "orders.delivery_minutes", 1,
                                     1440, whole=True)),
        recharge_minutes=int(number(raw["recharge_minutes"], "orders.recharge_minutes", 1,
                                     1440, whole=True)),
        repeat_claims=int(number(raw["repeat_claims"], "orders.repeat_claims", 2, 1000,
                                  whole=True)),
        resends_per_order_per_day=int(number(raw["resends_per_order_per_day"],
                                              "orders.resends_per_order_per_day", 0, 100,
                                              whole=True)),
        resends_per_buyer_per_day=int(number(raw["resends_per_buyer_per_day"],
                                              "orders.resends_per_buyer_per_day", 0, 1000,
                                              whole=True)),
        http=parse_http(_guest_api(raw) or raw["http"], required=backend == "http"
                        or _guest_api(raw) is not None),
        sql=_sql(raw))


def _guest_api(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`backend: dujiao_next` with `dujiao_next.mode: api`: the http backend on its guest
    lookup API (the dujiao_next_guest preset), reached at `orders.http.base_url`."""
    mode = str((raw["dujiao_next"] or {}).get("mode") or "db").strip().lower()
    if str(raw["backend"] or "").strip().lower() != "dujiao_next" or mode != "api":
        return None
    return {**raw["http"], "preset": raw["http"].get("preset") or "dujiao_next_guest"}


def _sql(raw: Mapping[str, Any]) -> SqlSettings:
    dsn_env = str(raw["dsn_env"] or "").strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", dsn_env):
        raise ValueError(f"orders.dsn_env: expected an environment variable name, got {dsn_env!r}")
    prefix = str(raw["table_prefix"] if raw["table_prefix"] is not None else "").strip()
    # Names are put into SQL text (they cannot be bound): only plain identifiers get there.
    if prefix and not re.fullmatch(r"[A-Za-z0-9_]{1,32}", prefix):
        raise ValueError(f"orders.table_prefix: expected letters, digits and _, got {prefix!r}")
    view = str(raw["tail_view"] or "").strip()
    if view and not re.fullmatch(IDENTIFIER, view):
        raise ValueError(f"orders.tail_view: expected a table or view name, got {view!r}")
    section = raw["dujiao_next"]
    mode = str((section or {}).get("mode") or "db").strip().lower()
    if mode not in DUJIAO_NEXT_MODES:
        raise ValueError(f"orders.dujiao_next.mode: expected db or api, got {mode!r}")
    return SqlSettings(dsn_env, prefix, view, mode)

