"""The order backend kefu.yaml chose (`orders.backend`), built for one use.

Building one is cheap (no connection is kept), so nothing is cached between
turns and a restart or a test sees the configuration as it is.
"""

from __future__ import annotations

from bot.kefu import Kefu
from bot.orders import OrderBackend
from bot.orders.http import HttpOrders
from bot.orders.sqlite import SqliteOrders


def backend_for(k: Kefu) -> OrderBackend | None:
    """The configured backend, or None: kefu then collects details for a person as before."""
    settings = k.config.orders
    if settings.backend == "sqlite":
        return SqliteOrders(k.store, k.config.tz,
                            records_telegram=settings.owner_proof == "telegram")
    if settings.backend == "http":
        return HttpOrders(settings.http, k.config.tz)
    return None
