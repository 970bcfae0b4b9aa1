"""`kefu dashboard`: browse the database in Datasette, read-only, with the report's queries.

Datasette is an optional extra (`pip install 'kefu[dashboard]'`). It opens a database file
that may still change with `?mode=ro`, so nothing a page or a query does can write to it;
kefu adds no write queries and binds to 127.0.0.1 unless told otherwise (the tables hold
buyers' messages).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tools.report.sql import canned_queries

INSTALL_HINT = ("Datasette 没有安装 / is not installed: pip install 'kefu[dashboard]' "
                "(or pip install datasette)")
TABLES = {
    "tickets": ("工单 / tickets", "One row per ticket: intent, tier, stage, owner, promised and "
                "first-reply times; details holds the rating (details.rating)."),
    "ticket_events": ("工单事件 / ticket events", "Every change to a ticket: opened, claimed, "
                      "reply, stage, resolved, escalated, sla_warned, sla_breached, reopened."),
    "messages": ("消息 / messages", "Every message in (buyer) or out (bot, agent:ID) of a "
                 "buyer's chat; kind text, button (the button's data) or command; decision "
                 "(answer, clarify, fallback) and intent: what the matcher made of a buyer's "
                 "text."),
    "conversations": ("对话状态 / conversation state", "Where each buyer is in the flow now."),
    "agents": ("客服 / agents", "Agents, their role and whether they are on duty."),
    "users": ("买家 / buyers", "Buyers who wrote, with the time they first did."),
    "outbox": ("发件箱 / outbox", "Everything sent or to send; choices are the buttons offered."),
    "inbox": ("收件箱 / inbox", "Buyer events kept until handled (crash safety)."),
    "seen_events": ("已处理更新 / handled updates", "Messenger update ids handled once."),
    "staff_threads": ("员工话题 / staff threads", "Where each ticket lives in the staff chat."),
    "staff_messages": ("员工消息 / staff messages", "Which staff-chat message is about which "
                       "ticket."),
    "notices": ("通道公告 / channel notices", "Outages staff announced, and until when."),
    "orders": ("订单 / orders", "The shop's orders as kefu knows them."),
    "order_checks": ("订单查询 / order checks", "Every order lookup a buyer caused."),
    "user_events": ("买家事件 / buyer events", "Blocked, unblocked, flooded."),
}


def metadata(db_path: str | Path, tz: ZoneInfo, now: datetime | None = None) -> dict[str, Any]:
    """Datasette metadata: titles, table labels and the report's canned queries."""
    offset = (now or datetime.now(tz)).astimezone(tz).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    tables = {name: {"title": title, "description": desc}
              for name, (title, desc) in TABLES.items()}
    return {
        "title": "kefu 客服数据 / support data",
        "description": "Read-only. Canned queries mirror `kefu report`; times are stored in "
                       f"UTC, days are shown in {tz.key}.",
        "databases": {Path(db_path).stem: {"tables": tables,
                                           "queries": canned_queries(minutes)}},
    }


def make_datasette(db_path: str | Path, tz: ZoneInfo) -> Any:
    """A Datasette app over the database (read-only: opened with mode=ro)."""
    from datasette.app import Datasette

    return Datasette([str(db_path)], metadata=metadata(db_path, tz),
                     settings={"sql_time_limit_ms": 5000})


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Browse the database in Datasette (read-only) with the report's canned queries."""
    from bot.config import load_config

    cfg = load_config(args.config, db=args.db)
    try:
        import uvicorn
        from datasette.app import Datasette  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    if not Path(cfg.database).is_file():
        print(f"还没有数据 / no data yet: {cfg.database} does not exist", file=sys.stderr)
        return 1
    ds = make_datasette(cfg.database, cfg.tz)
    print(f"kefu dashboard: http://{args.host}:{args.port}/ (read-only, Ctrl-C to stop)")
    uvicorn.run(ds.app(), host=args.host, port=args.port, log_level="warning")
    return 0


def add_dashboard_command(sub: argparse._SubParsersAction,
                          add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `kefu dashboard` on the CLI."""
    p = add(sub, "dashboard", cmd_dashboard, "kefu dashboard --port 8001", [])
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--db", help="database file (else $KEFU_DB)")
