"""The `kefu` command: match, eval, faq check, init, console, run."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from bot import logmask
from bot.config import Config, load_config
from bot.db.checks import check_database_file
from tools.failures import EXIT_FAILED, one_line

logger = logging.getLogger(__name__)
TOKEN_ENV = "KEFU_TELEGRAM_TOKEN"  # masked in logs by every command, not only `kefu run`


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config, db=getattr(args, "db", None))


def _faq_path(args: argparse.Namespace) -> Path:
    return Path(args.faq) if getattr(args, "faq", None) else _config(args).faq


def cmd_match(args: argparse.Namespace) -> int:
    """Print what kefu understands in one message."""
    from intents.match import load_matcher
    from intents.understand import understand

    cfg = _config(args)
    u = understand(load_matcher(_faq_path(args)), args.text, cfg.thresholds, cfg.order_pattern)
    result = {"intent": u.decision.intent, "confidence": round(u.decision.confidence, 3),
              "decision": u.decision.kind, "choices": list(u.decision.choices),
              "top3": [[c.intent, c.score] for c in u.ranking.candidates[:3]],
              "order_no": u.details.order_no, "amount": u.details.amount,
              "demand": u.details.demand}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for key, value in result.items():
        print(f"{key:<11}{value}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the matcher and extractors on a labelled JSONL file."""
    from intents.match import load_matcher
    from tools.evaluate import evaluate, figures_text, load_cases, per_intent_table

    cfg = _config(args)
    figures, outcomes = evaluate(load_matcher(_faq_path(args)), load_cases(Path(args.file)),
                                 cfg.thresholds, cfg.order_pattern)
    print(per_intent_table(outcomes))
    print()
    print(figures_text(figures))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


def cmd_faq_check(args: argparse.Namespace) -> int:
    """Validate a FAQ file; non-zero exit when it has errors."""
    from tools.faqcheck import check_faq

    path = Path(args.path) if args.path else _config(args).faq
    problems = check_faq(path)
    errors = [p for p in problems if p.level == "error"]
    for p in problems:
        print(f"{p.level}: {p.message}")
    print(f"{path}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    return 1 if errors else 0


def cmd_init(args: argparse.Namespace) -> int:
    """Write a commented example kefu.yaml."""
    from tools.example_config import EXAMPLE

    target = Path(args.path)
    if target.exists() and not args.force:
        print(f"{target} exists; use --force to overwrite", file=sys.stderr)
        return 1
    if not target.parent.is_dir():
        print(f"{target}: folder {target.parent} does not exist; create it or give another "
              "path", file=sys.stderr)
        return EXIT_FAILED
    target.write_text(EXAMPLE, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    """Chat as a buyer, or work the queue as an agent, in the terminal."""
    from handlers.console import run_agent, run_buyer

    cfg = _config(args)
    logmask.install(os.environ.get(TOKEN_ENV), cfg.order_pattern)  # the shop's order numbers
    if args.agent:
        return run_agent(cfg, args.agent)
    return run_buyer(cfg, args.user, args.name)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every kefu command."""
    parser = argparse.ArgumentParser(prog="kefu", description="客服: support for virtual-goods "
                                     "shops. Example: kefu console")
    parser.add_argument("--config", help="kefu.yaml path (else $KEFU_CONFIG, else ./kefu.yaml)")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback when a command fails")
    sub = parser.add_subparsers(dest="command", required=True)
    _add(sub, "match", cmd_match, 'kefu match "付了钱卡密没到 KM202411221530123456"',
         [("text",), ("--faq",), ("--json", "store_true")])
    _add(sub, "eval", cmd_eval, "kefu eval tests/data/heldout.jsonl --json",
         [("file",), ("--faq",), ("--json", "store_true")])
    faq = sub.add_parser("faq", help="FAQ tools").add_subparsers(dest="faq_command",
                                                                  required=True)
    _add(faq, "check", cmd_faq_check, "kefu faq check faq.yaml", [("path", "?")])
    _add(sub, "init", cmd_init, "kefu init kefu.yaml",
         [("path", "?", "kefu.yaml"), ("--force", "store_true")])
    _add(sub, "console", cmd_console, "kefu console            (buyer)\n"
         "  kefu console --agent 小王  (agent, in a second terminal)",
         [("--agent",), ("--user", int, 10001), ("--name", str, "console-buyer"), ("--db",)])
    from handlers.telegram_app import add_run_command

    add_run_command(sub, _add)
    from tools.dashboard import add_dashboard_command
    from tools.report.cli import add_report_command

    add_report_command(sub, _add)
    add_dashboard_command(sub, _add)
    from tools.orders_cli import add_orders_command

    add_orders_command(sub, _add)
    from tools.prune import add_prune_command

    add_prune_command(sub, _add)
    for name in ("match", "eval", "init"):
        sub.choices[name].add_argument("--db", help="database file (else $KEFU_DB)")
    faq.choices["check"].add_argument("--db", help="database file (else $KEFU_DB)")
    return parser


def _add(sub: argparse._SubParsersAction, name: str, func: object, example: str,
         params: list[tuple]) -> argparse.ArgumentParser:
    doc = (func.__doc__ or "").strip()  # type: ignore[attr-defined]
    p = sub.add_parser(name, help=doc, description=doc, epilog=f"Example:\n  {example}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    for spec in params:
        _param(p, spec)
    p.set_defaults(func=func)
    return p


def _param(p: argparse.ArgumentParser, spec: tuple) -> None:
    name, *rest = spec
    if rest and rest[0] == "store_true":
        p.add_argument(name, action="store_true")
    elif rest and rest[0] == "?":
        p.add_argument(name, nargs="?", default=rest[1] if len(rest) > 1 else None)
    elif rest and isinstance(rest[0], type):
        p.add_argument(name, type=rest[0], default=rest[1])
    else:
        p.add_argument(name)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kefu` console command."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logmask.install(os.environ.get(TOKEN_ENV))  # before anything can log a secret
    args = build_parser().parse_args(argv)
    try:
        if args.command in READ_ONLY:  # they open the file themselves, read-only
            check_database_file(_config(args).database)
        return int(args.func(args) or 0)
    except Exception as exc:  # one line for the operator; the traceback only when asked
        if args.debug:
            raise
        print(one_line(exc, _database(args)), file=sys.stderr)
        return EXIT_FAILED


# Commands that read the database without kefu's own open_db (which checks the file itself).
READ_ONLY = ("report", "dashboard")


def _database(args: argparse.Namespace) -> str | None:
    """The database file a command was using, to name it in an error; None if unknown."""
    try:
        return str(_config(args).database)
    except Exception:  # the config itself was the problem: the error says so already
        return getattr(args, "db", None)


if __name__ == "__main__":
    sys.exit(main())
