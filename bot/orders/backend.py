"""The order backend kefu.yaml chose (`orders.backend`), built for one use.

Building one is cheap, so nothing is cached between turns and a restart or a test sees
the configuration as it is. What must outlive a turn, the SQL backends' connection
pools, lives in `Kefu.shop_databases` (bot/orders/shopdb.py), made once per process.
"""

from __future__ import annotations

from bot.kefu import Kefu
from bot.orders import OrderBackend
from bot.orders.http import HttpOrders
from bot.orders.settings import SQL_BACKENDS
from bot.orders.sqlite import SqliteOrders
from bot.orders.sqlorders import SqlOrders
from bot.orders.systems import SYSTEMS


def backend_for(k: Kefu) -> OrderBackend | None:
    """The configured backend, or None: kefu then collects details for a person as before."""
    settings = k.config.orders
    if settings.backend == "sqlite":
        return SqliteOrders(k.store, k.config.tz,
                            records_telegram=settings.owner_proof == "telegram")
    if settings.backend == "http" or (settings.backend == "dujiao_next"
                                      and settings.sql.dujiao_next_mode == "api"):
        return HttpOrders(settings.http, k.config.tz)  # Dujiao-Next's guest lookup API
    if settings.backend in SQL_BACKENDS:
        return SqlOrders(SYSTEMS[settings.backend], settings.sql, k.shop_databases,
                         k.config.tz)
    return None
