"""Orders read straight from a 发卡 system's database: dujiaoka, acg-faka, Dujiao-Next.

Read-only, one SELECT per lookup, through the process's pool (bot/orders/shopdb.py),
within MAX_SECONDS in total. These systems take no refund or resend from outside, so
kefu's fast-path refunds become a one-tap approval card for an agent, as with the
sqlite backend. They know buyers by contact, email and lookup password, never by
Telegram id (`records_telegram` is false).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from bot.orders import ActionResult, BackendError, Order, Proof
from bot.orders.dsn import mask, read_url
from bot.orders.settings import MAX_SECONDS, SqlSettings
from bot.orders.shopdb import ShopDatabases
from bot.orders.systems import System


@dataclass(frozen=True)
class SqlOrders:
    """One shop system's orders, looked up in its database."""

    system: System
    settings: SqlSettings
    databases: ShopDatabases
    tz: tzinfo
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    deadline: float = MAX_SECONDS
    remote: bool = True  # a network call: the adapter makes it outside any transaction
    can_refund: bool = False
    can_resend: bool = False
    records_telegram: bool = False  # buyers are known by contact, email, lookup password

    def lookup(self, order_no: str, proof: Proof | None = None) -> Order | None:
        """The order, None when the system has none by that number; BackendError (logged at
        most once a minute) when the database cannot answer. The database needs no proof:
        kefu compares the buyer's (bot/orders/ownership.py)."""
        url = ""
        try:
            url = read_url(self.env, self.settings.dsn_env, self.system.dialect)
            row = self.databases.fetch_one(url, self.system.query(self.settings),
                                           {"order_no": order_no}, self.deadline)
            return None if row is None else self.system.order(row, self.tz)
        except BackendError as exc:
            reason = self._hint(str(exc))
            where = mask(url) if url else f"${self.settings.dsn_env}"
            self.databases.log.warn(f"{self.system.name}:{reason[:40]}",
                                    f"{self.system.name} order database ({where}): {reason}")
            raise BackendError(reason) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise BackendError(f"unreadable order row: {type(exc).__name__}: {exc}") from None

    def _hint(self, reason: str) -> str:
        """What to check, where the cause is usually the configuration."""
        # A user granted SELECT on some tables is told "denied", not "missing", for a table
        # that does not exist: MySQL hides which. A wrong prefix looks like either.
        if reason.startswith(("missing table", "no SELECT")) and self.system.name == "acgfaka":
            return (f"{reason} (check orders.table_prefix, now "
                    f"{self.settings.table_prefix!r}, and the grants)")
        if reason.startswith(("missing table", "missing column")) and self.settings.tail_view:
            return f"{reason} (check orders.tail_view {self.settings.tail_view!r})"
        return reason

    def request_refund(self, order: Order, reason: str) -> ActionResult:
        """Not supported: these systems take no refund from outside; an agent approves."""
        raise BackendError(f"{self.system.name} has no refund interface")

    def resend(self, order: Order, ticket: str = "") -> ActionResult:
        """Not supported: kefu never holds the codes to send."""
        raise BackendError(f"{self.system.name} has no resend interface")
