"""`kefu report`: read the period, compute, and print or write the chosen format."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from tqdm import tqdm

from bot.config import Config
from tools.report.figures import Settings, compute
from tools.report.gaps import faq_gaps, yaml_stubs
from tools.report.read import PROGRESS_MIN_ROWS, open_readonly, read_dataset
from tools.report.render import (
    NO_DATA,
    gaps_json,
    no_data_html,
    render_html,
    render_json,
    render_text,
    text_table,
)
from tools.report.rows import Dataset
from tools.report.sections import Report, gaps
from tools.report.sessions import decide_turns
from tools.report.volume import UNKNOWN, Classify

logger = logging.getLogger(__name__)

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
SUFFIX = {"text": "txt", "json": "json", "html": "html"}


def parse_when(text: str, end: datetime, cfg: Config) -> datetime:
    """7d / 12h / 30m / 2w before end, a day (2026-11-01, local midnight) or an ISO time."""
    found = _RELATIVE.match(text)
    if found:
        return end - timedelta(**{_UNITS[found[2].lower()]: float(found[1])})
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 7d, 24h, 2026-11-01 or 2026-11-01T09:00, got {text!r}") from None
    return t.replace(tzinfo=cfg.tz) if t.tzinfo is None else t.astimezone(cfg.tz)


def run_report(args: argparse.Namespace, cfg: Config, now: datetime | None = None) -> int:
    """Print or write the report; an empty or missing database says so and exits 0."""
    now = (now or datetime.now(UTC)).astimezone(cfg.tz)
    try:
        until = parse_when(args.until, now, cfg) if args.until else now
        since = parse_when(args.since or "7d", until, cfg)
    except argparse.ArgumentTypeError as exc:
        print(f"kefu report: {exc}", file=sys.stderr)
        return 2
    conn = open_readonly(cfg.database)
    data = read_dataset(conn, since, until) if conn else Dataset(since, until)
    if conn:
        conn.close()
    if data.is_empty:
        return _no_data(args, cfg, since, until)
    report = build_report(data, cfg, min(now, until))
    return _emit(args, report)


def build_report(data: Dataset, cfg: Config, now: datetime) -> Report:
    """Figures and gaps for the rows read."""
    labels, classify = _understanding(cfg)
    with _counting(classify, len(data.messages) >= PROGRESS_MIN_ROWS) as counted:
        targets = {t: s.first_reply.total_seconds() / 60 for t, s in cfg.tiers.items()}
        figures = compute(data, Settings(cfg.tz, now, labels, counted))
    found = tuple(faq_gaps(decide_turns(data.messages, data.offers)))
    return Report(data.since.astimezone(cfg.tz), data.until.astimezone(cfg.tz), str(cfg.tz),
                  figures, found, targets, labels)


def _understanding(cfg: Config) -> tuple[dict[str, str], Classify | None]:
    """Intent labels and a reader of buyers' words, from the shop's FAQ (none if unreadable)."""
    from intents.match import load_matcher
    from intents.understand import understand

    try:
        matcher = load_matcher(cfg.faq)
    except (OSError, ValueError) as exc:
        logger.warning("FAQ %s not readable (%s): bot-settled intents shown as unknown",
                       cfg.faq, exc)
        return {}, None

    @cache
    def classify(text: str) -> str:
        d = understand(matcher, text, cfg.thresholds, cfg.order_pattern).decision
        return d.intent if d.kind == "answer" and d.intent else UNKNOWN

    return {i.id: i.label for i in matcher.faq.intents}, classify


@contextmanager
def _counting(classify: Classify | None, big: bool) -> Iterator[Classify | None]:
    """Wrap classify with a progress bar (big reads on a terminal only)."""
    if classify is None:
        yield None
        return
    with tqdm(desc="识别 / reading intents", unit=" msgs", file=sys.stderr, leave=False,
              disable=not (big and sys.stderr.isatty())) as bar:
        def counted(text: str) -> str:
            bar.update(1)
            return classify(text)
        yield counted


def _emit(args: argparse.Namespace, r: Report) -> int:
    if args.faq_gaps:
        body = yaml_stubs(r.gaps, r.period, r.labels) if args.yaml else _gaps_only(args.format, r)
        return _write(args, "faq_gaps.yaml" if args.yaml else f"faq_gaps.{SUFFIX[args.format]}",
                      body)
    charts: dict[str, bytes] = {}
    if args.format == "html" or args.out:
        from tools.report.charts import render_charts  # matplotlib loads only to draw

        charts = render_charts(r.figures, r.targets)
        _write_charts(args, charts)
    if args.format == "json":
        return _write(args, "report.json", render_json(r))
    if args.format == "html":
        return _write(args, "report.html", render_html(r, charts))
    return _write(args, "report.txt", render_text(r))


def _gaps_only(fmt: str, r: Report) -> str:
    if fmt == "json":
        return json.dumps({"period": r.period, "faq_gaps": gaps_json(r)}, ensure_ascii=False,
                          indent=2) + "\n"
    return f"kefu FAQ 缺口 / FAQ gaps  {r.period}\n\n{text_table(gaps(r.gaps))}\n"


def _write(args: argparse.Namespace, name: str, body: str) -> int:
    if not args.out:
        sys.stdout.write(body)
        return 0
    path = Path(args.out) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def _write_charts(args: argparse.Namespace, charts: dict[str, bytes]) -> None:
    if not args.out:
        return
    folder = Path(args.out) / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in charts.items():
        (folder / f"{name}.png").write_bytes(png)
        print(f"wrote {folder / name}.png")


def _no_data(args: argparse.Namespace, cfg: Config, since: datetime, until: datetime) -> int:
    fmt = "%Y-%m-%d %H:%M"
    where = (f"{cfg.database} 不存在 / does not exist" if not Path(cfg.database).is_file()
             else f"{since.strftime(fmt)} – {until.strftime(fmt)} 期间没有对话或工单 / "
                  "no conversations or tickets in this period")
    message = f"{NO_DATA}: {where}"
    if args.format == "json" and not args.yaml:
        return _write(args, "report.json", json.dumps(
            {"no_data": True, "message": message}, ensure_ascii=False) + "\n")
    if args.format == "html" and not args.faq_gaps:
        return _write(args, "report.html", no_data_html(message))
    print(message)
    return 0

