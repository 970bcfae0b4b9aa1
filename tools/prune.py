"""`kefu prune`: retention's run on demand (the bot runs it once a day by itself)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime


def cmd_prune(args: argparse.Namespace, now: datetime | None = None) -> int:
    """Stub message texts past retention.messages_days, mask codes of resolved tickets."""
    from bot import retention
    from bot.config import load_config
    from bot.db import open_store
    from bot.kefu import utc_now
    from bot.logmask import SecretMasker

    cfg = load_config(args.config, db=args.db)
    store = open_store(cfg.database)
    pruned = retention.prune_all(store, SecretMasker(None, cfg.order_pattern),
                                 cfg.retention_days, now or utc_now())
    kept = (f"texts older than {cfg.retention_days} days" if cfg.retention_days
            else "no age limit (retention.messages_days: 0)")
    print(f"{cfg.database}: {kept}")
    for line in pruned.lines():
        print(f"  {line}")
    return 0


def add_prune_command(sub: argparse._SubParsersAction,
                      add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `kefu prune`."""
    add(sub, "prune", cmd_prune, "kefu prune --db kefu.db", [("--db",)])
