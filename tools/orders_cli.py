"""`kefu orders import FILE.csv`, `kefu orders track` and `kefu orders check` on the command
line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def cmd_orders_import(args: argparse.Namespace) -> int:
    """Import the shop's order export (CSV) into kefu's orders table; one bad row imports none."""
    from bot.config import load_config
    from bot.db import open_store
    from bot.kefu import utc_now
    from tools.orders_import import import_csv

    cfg = load_config(args.config, db=args.db)
    path = Path(args.file)
    if not path.is_file():  # said before the database is opened (or created)
        print(f"{path}: file not found; give the path of the shop's CSV export",
              file=sys.stderr)
        return 2
    result = import_csv(open_store(cfg.database), path, cfg.tz, utc_now(), cfg.order_pattern)
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.errors:
        print(f"{args.file}: {len(result.errors)} bad row(s), nothing imported", file=sys.stderr)
        return 1
    print(f"{args.file}: {result.written} order(s) imported into {cfg.database}")
    return 0


def cmd_orders_track(args: argparse.Namespace) -> int:
    """Resolve fast-path refund tickets the shop's system now shows as refunded."""
    from bot import door
    from bot.config import load_config
    from bot.kefu import bootstrap
    from bot.orders.calls import perform

    k = bootstrap(load_config(args.config, db=args.db))
    outs = door.run(k, door.TrackRefunds(), perform).messages
    print(f"{sum(o.audience == 'user' for o in outs)} refund ticket(s) resolved")
    return 0


def add_orders_command(sub: argparse._SubParsersAction,
                       add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `kefu orders import`, `track` and `check`."""
    from tools.orders_check import cmd_orders_check

    orders = sub.add_parser("orders", help="the shop's orders")
    commands = orders.add_subparsers(dest="orders_command", required=True)
    add(commands, "import", cmd_orders_import, "kefu orders import orders.csv",
        [("file",), ("--db",)])
    add(commands, "track", cmd_orders_track, "kefu orders track   (from cron, every 5 minutes)",
        [("--db",)])
    add(commands, "check", cmd_orders_check, "kefu orders check DJKDELIVERED0001",
        [("order_no",)])
