"""Lookup latency of the shop-database backends (dujiaoka, acg-faka on MariaDB; Dujiao-Next
on PostgreSQL) against real servers on loopback, started as the tests start them.

Run: python benchmarks/bench_shop_lookup.py [--lookups 2000]
Prints p50/p99 per backend over warm pools (the process's steady state), plus the first
lookup, which pays for connecting and logging in.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.orders.settings import SqlSettings  # noqa: E402
from bot.orders.shopdb import ShopDatabases  # noqa: E402
from bot.orders.sqlorders import SqlOrders  # noqa: E402
from bot.orders.systems import SYSTEMS  # noqa: E402
from tests.shop_data import RO_PASSWORD, RO_USER, fill_mysql, fill_postgres  # noqa: E402
from tests.shop_servers import mariadb, postgres  # noqa: E402

CASES = {"dujiaoka": ("dujiaoka", "DJKDELIVERED0001"),
         "acgfaka": ("acgfaka", "100241122153012345"),
         "dujiao_next": ("dujiao_next", "DN202602110005")}


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> None:
    """Start both servers, fill them, time the lookups, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lookups", type=int, default=2000)
    n = parser.parse_args().lookups
    with ExitStack() as stack:
        started = time.monotonic()
        my = stack.enter_context(mariadb())
        pg = stack.enter_context(postgres())
        fill_mysql(my)
        fill_postgres(pg)
        print(f"servers started and filled in {time.monotonic() - started:.1f} s")
        for name, (database, order_no) in CASES.items():
            server = pg if name == "dujiao_next" else my
            dbs = ShopDatabases()
            env = {"KEFU_ORDERS_DSN": server.url(RO_USER, RO_PASSWORD, database)}
            backend = SqlOrders(SYSTEMS[name], SqlSettings(), dbs, ZoneInfo("Asia/Shanghai"),
                                env=env)
            t = time.perf_counter()
            assert backend.lookup(order_no) is not None
            first = (time.perf_counter() - t) * 1000
            times = []
            for _ in range(n):
                t = time.perf_counter()
                backend.lookup(order_no)
                times.append((time.perf_counter() - t) * 1000)
            dbs.close()
            print(f"{name:<12} first {first:6.1f} ms   p50 {statistics.median(times):5.2f} ms"
                  f"   p99 {percentile(times, 99):5.2f} ms   ({n} lookups)")


if __name__ == "__main__":
    main()
