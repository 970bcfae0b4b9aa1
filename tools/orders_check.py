"""`kefu orders check ORDER_NO`: look one order up with the configured backend, to prove the
connection and the mapping on the first day."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from bot.orders import BackendError, Order, OrderBackend, mask_contact
from bot.orders.settings import SQL_BACKENDS
from bot.orders.shopdb import ShopDatabases
from bot.settings import Config

FIELDS = ("status", "buyer", "product", "amount", "paid_at", "delivered_at", "refunded_at",
          "pay_channel")


def describe(order: Order) -> list[str]:
    """The mapped fields, one a line: the code's last 4 only, the lookup password as set or
    empty, the buyer's contact masked (the terminal may be shared or recorded)."""
    lines = []
    for name in FIELDS:
        value = getattr(order, name)
        if name == "buyer" and value:
            value = mask_contact(value)
        lines.append(f"  {name:<16}{'' if value is None else value}")
    lines.append(f"  {'code':<16}{'****' + order.code_tail if order.code_tail else ''}")
    lines.append(f"  {'lookup_password':<16}{'set' if order.lookup_password else 'empty'}")
    return lines


def cmd_orders_check(args: argparse.Namespace) -> int:
    """Look one order up with the configured backend: its fields, or what is wrong (exit 2)."""
    from bot.config import load_config
    cfg = load_config(args.config)
    databases = ShopDatabases()  # made for this one lookup, closed after it
    # The backend's own rate-limited warning would repeat the one line printed here.
    logging.getLogger("bot.orders.shopdb").setLevel(logging.ERROR)
    settings = cfg.orders
    started = time.monotonic()
    try:
        order = _backend(cfg, databases).lookup(args.order_no)
    except BackendError as exc:
        print(f"{settings.backend}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback for a shop owner: say what broke
        print(f"{settings.backend}: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
        return 2
    finally:
        databases.close()
    took = f"{(time.monotonic() - started) * 1000:.0f} ms"
    if order is None:
        print(f"{settings.backend}: no order {args.order_no} ({took})")
        return 1
    print("\n".join([f"{settings.backend}: order {order.order_no} ({took})", *describe(order)]))
    return 0


def _backend(cfg: Config, databases: ShopDatabases) -> OrderBackend:
    settings = cfg.orders
    if settings.backend in SQL_BACKENDS:
        from bot.orders.sqlorders import SqlOrders
        from bot.orders.systems import SYSTEMS

        return SqlOrders(SYSTEMS[settings.backend], settings.sql, databases, cfg.tz)
    if settings.backend == "http":
        from bot.orders.http import HttpOrders

        return HttpOrders(settings.http, cfg.tz)
    if settings.backend == "sqlite":
        from bot.db import open_store
        from bot.orders.sqlite import SqliteOrders

        return SqliteOrders(open_store(cfg.database), cfg.tz)
    raise BackendError("orders.backend is none: set it in kefu.yaml (dujiaoka, acgfaka, "
                       "dujiao_next, http or sqlite)")
