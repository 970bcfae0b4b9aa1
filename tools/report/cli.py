"""`kefu report` on the command line (kept light: the report's modules load when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

FORMATS = ("text", "json", "html")


def cmd_report(args: argparse.Namespace) -> int:
    """Figures, charts and FAQ gaps from the database, for a period (default: 7 days)."""
    from bot.config import load_config
    from tools.report.command import run_report

    return run_report(args, load_config(args.config, db=args.db))


def add_report_command(sub: argparse._SubParsersAction,
                       add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `kefu report` on the CLI."""
    p = add(sub, "report", cmd_report, "kefu report --since 7d --format html --out report/\n"
            "  kefu report --faq-gaps --yaml > gaps.yaml", [])
    p.add_argument("--since", default="7d", help="7d, 24h, 2w, a day (2026-11-01) or ISO time; "
                   "relative to --until (default 7d)")
    p.add_argument("--until", help="end of the period (default: now)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--out", metavar="DIR", help="write files (and charts/*.png) here")
    p.add_argument("--faq-gaps", action="store_true", help="only the FAQ gaps")
    p.add_argument("--yaml", action="store_true", help="with --faq-gaps: faq.yaml stubs")
    p.add_argument("--db", help="database file (else $KEFU_DB)")
