"""`kefu report` over a database of known content (tests/report_fixtures.py), figure by figure.

Every expected number below is worked out from the story the fixture tells, not read back
from the report: 14 conversations, 6 tickets (T1..T6), replies and resolutions at chosen
minutes after each ticket opened.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from intents.match import Matcher
from tests.report_fixtures import ShopDb, kefu_handled_db, make_shop_db, write_config
from tools.cli import main
from tools.report import figures
from tools.report.command import build_report, parse_when, run_report
from tools.report.read import open_readonly, read_dataset
from tools.report.render import render_json, render_text
from tools.report.rows import EventRow, MessageRow
from tools.report.sections import Report
from tools.report.sessions import SESSION_GAP, build_sessions
from tools.report.stats import percentile
from tools.report.volume import IntentVolume


def args(**given: object) -> argparse.Namespace:
    base = {"since": "2026-11-23", "until": "2026-11-25", "format": "text", "out": None,
            "faq_gaps": False, "yaml": False}
    return argparse.Namespace(**{**base, **given})


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory: pytest.TempPathFactory, mini_matcher: Matcher) -> ShopDb:
    return make_shop_db(tmp_path_factory.mktemp("shop"), mini_matcher)


@pytest.fixture(scope="module")
def report(shop_db: ShopDb) -> Report:
    conn = open_readonly(shop_db.config.database)
    assert conn is not None
    data = read_dataset(conn, shop_db.since, shop_db.until)
    return build_report(data, shop_db.config, shop_db.now)


def test_conversations_end_as_the_story_says(report: Report) -> None:
    v = report.figures.volume
    # bot: buyers 1, 2, 6, 12; tickets: 4, 5, 7, 8, 9, 14; left in intake: 10;
    # unanswered: 3, 11, 13; follow-ups: two ratings, a rating and a reopening, a chase.
    assert (v.conversations, v.bot_settled, v.with_ticket) == (14, 4, 6)
    assert (v.left_in_intake, v.unanswered, v.follow_ups) == (1, 3, 5)
    assert v.self_service == round(4 / 14, 3)
    assert report.figures.tickets == 6


def test_handoffs_by_reason(report: Report) -> None:
    # T2, T4, T6 by intent; T1 after a fallback and 转人工; T3 after 没解决; T5 asked (转人工).
    assert report.figures.volume.handoffs == {"ticket_intent": 3, "fallback": 1,
                                              "unsolved": 1, "human": 1}


def test_volume_by_day_counts_tickets_in_the_tier_they_opened_in(report: Report) -> None:
    days = [(d.day, d.conversations, d.bot_settled, d.tickets) for d in
            report.figures.volume.by_day]
    # T3 opened as B and breached into A; T2 was escalated A -> S by hand: both count as opened.
    assert days == [("2026-11-23", 10, 3, {"S": 1, "A": 2, "B": 2}),
                    ("2026-11-24", 4, 1, {"S": 0, "A": 1, "B": 0})]


def test_volume_by_intent_most_asked_first(report: Report) -> None:
    rows = report.figures.volume.by_intent
    assert rows[:3] == (IntentVolume("refund_request", "申请退款", 3, 0, 2),
                        IntentVolume("card_usage", "卡密使用", 3, 3, 0),
                        IntentVolume("none", "none", 2, 0, 0))
    assert {r.intent: r.conversations for r in rows[3:]} == {
        "account_stolen": 1, "card_not_received": 1, "contact_human": 1,
        "refund_progress": 1, "greeting": 1, "unknown": 1}


def test_first_reply_and_resolution_percentiles_per_opening_tier(report: Report) -> None:
    first = {t.tier: (t.count, t.p50, t.p90) for t in report.figures.first_reply}
    assert first == {"S": (1, 2.0, 2.0), "A": (2, 1.0, 300.0), "B": (1, 200.0, 200.0)}
    solved = {t.tier: (t.count, t.p50, t.p90) for t in report.figures.resolution}
    # T2 was resolved, reopened and resolved again 480 minutes after it opened.
    assert solved == {"S": (1, 60.0, 60.0), "A": (2, 120.0, 480.0), "B": (0, None, None)}


def test_first_promises_kept_broken_and_running(report: Report) -> None:
    p = report.figures.promises
    # kept: T1 (1 min), T4 (2 min); broken: T2, T3 late, T5 never answered; running: T6.
    assert (p.kept, p.broken, p.pending, p.kept_share) == (2, 3, 1, 0.4)


def test_breaches_escalations_and_reopen_rate(report: Report) -> None:
    s = report.figures.sla
    assert (s.breached_tickets, s.breached_share, s.breaches) == (1, 0.167, {"first_reply": 1})
    assert s.escalations == {"sla_first_reply": 1, "manual": 1}
    assert (s.reopened, s.resolved, s.reopen_rate) == (1, 3, 0.333)


def test_ratings_overall_by_agent_and_by_intent(report: Report) -> None:
    r = report.figures.ratings
    assert (r.count, r.average) == (3, 3.0)
    assert r.distribution == {1: 1, 2: 0, 3: 1, 4: 0, 5: 1}
    assert r.by_agent == {"小王": 4.0, "老李": 1.0}
    assert r.by_intent == {"卡密未到账": 5.0, "申请退款": 3.0, "账号被盗": 1.0}


def test_per_agent_figures(report: Report) -> None:
    rows = {a.name: (a.handled, a.resolved, a.first_reply_p50, a.resolution_p50, a.rating,
                     a.ratings) for a in report.figures.agents}
    # 小王 holds T1, T2 and T3 (given to him when it breached): first replies 1, 300, 200.
    assert rows == {"小王": (3, 2, 200.0, 120.0, 4.0, 2), "老李": (1, 1, 2.0, 60.0, 1.0, 1)}


def test_text_report_reads_as_tables(report: Report) -> None:
    text = render_text(report)
    assert "kefu 报告 / report  2026-11-23 00:00 – 2026-11-25 00:00 (Asia/Shanghai)" in text
    assert re.search(r"\n  机器人解决 / settled by the bot +4 \(28\.6%\)\n", text)
    assert "\n  小王          3     2       200           120       4.0 (2)\n" in text


def test_json_report_holds_the_figures_and_gaps(report: Report) -> None:
    data = json.loads(render_json(report))
    assert data["figures"]["volume"]["bot_settled"] == 4
    assert data["figures"]["ratings"]["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 0,
                                                          "5": 1}
    assert "series" not in data["figures"]
    assert data["faq_gaps"][0]["count"] == 2
    assert data["period"]["timezone"] == "Asia/Shanghai"


def test_report_reads_without_writing(shop_db: ShopDb, capsys: pytest.CaptureFixture) -> None:
    db = Path(shop_db.config.database)
    before = {p.name: p.read_bytes() for p in db.parent.glob("kefu.db*")}
    assert run_report(args(), shop_db.config, shop_db.now) == 0
    assert {p.name: p.read_bytes() for p in db.parent.glob("kefu.db*")} == before
    conn = open_readonly(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM tickets")  # type: ignore[union-attr]


def test_cli_prints_the_report(shop_db: ShopDb, capsys: pytest.CaptureFixture) -> None:
    assert main(["--config", str(shop_db.config.source), "report", "--since", "2026-11-23",
                 "--until", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\n  对话 / conversations +14\n", out)
    assert "FAQ 缺口 / FAQ gaps" in out


def test_out_dir_gets_the_report_and_its_charts(shop_db: ShopDb, tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    assert run_report(args(format="json", out=str(tmp_path)), shop_db.config, shop_db.now) == 0
    assert json.loads((tmp_path / "report.json").read_text())["figures"]["tickets"] == 6
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "daily_volume.png", "eta.png", "first_reply.png", "self_service.png"]


def test_missing_database_says_no_data_yet(tmp_path: Path,
                                           capsys: pytest.CaptureFixture) -> None:
    config = load_config(write_config(tmp_path))
    assert run_report(args(), config) == 0
    out = capsys.readouterr().out
    assert out.startswith("还没有数据 / no data yet: ") and "does not exist" in out


def test_empty_database_says_no_data_yet_in_every_format(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = load_config(write_config(tmp_path))
    from bot.db import open_store

    open_store(config.database).db.conn.close()  # migrated, no rows
    assert main(["--config", str(config.source), "report"]) == 0
    assert "还没有数据 / no data yet" in capsys.readouterr().out
    assert run_report(args(format="json"), config) == 0
    assert json.loads(capsys.readouterr().out)["no_data"] is True
    assert run_report(args(format="html", out=str(tmp_path / "r")), config) == 0
    assert "还没有数据" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_a_period_without_rows_is_no_data_too(shop_db: ShopDb,
                                               capsys: pytest.CaptureFixture) -> None:
    assert run_report(args(since="2026-10-01", until="2026-10-08"), shop_db.config) == 0
    assert "期间没有对话或工单 / no conversations or tickets" in capsys.readouterr().out


def test_progress_bar_on_request_and_silent_otherwise(shop_db: ShopDb,
                                                     capsys: pytest.CaptureFixture) -> None:
    conn = open_readonly(shop_db.config.database)
    assert conn is not None
    read_dataset(conn, shop_db.since, shop_db.until)  # not a terminal, few rows: no bar
    assert capsys.readouterr().err == ""
    data = read_dataset(conn, shop_db.since, shop_db.until, progress=True)
    err = capsys.readouterr().err
    rows = len(data.tickets) + len(data.events) + len(data.messages) + len(data.offers)
    assert "读取 / reading" in err and f"/{rows} [" in err


def test_when_parses_relative_days_and_iso(shop_db: ShopDb) -> None:
    cfg, end = shop_db.config, datetime(2026, 11, 25, tzinfo=UTC)
    assert parse_when("7d", end, cfg) == end - timedelta(days=7)
    assert parse_when("36h", end, cfg) == end - timedelta(hours=36)
    assert parse_when("2026-11-01", end, cfg).isoformat() == "2026-11-01T00:00:00+08:00"
    with pytest.raises(argparse.ArgumentTypeError, match="expected 7d"):
        parse_when("last week", end, cfg)


def test_a_bad_period_is_a_clear_error(shop_db: ShopDb,
                                       capsys: pytest.CaptureFixture) -> None:
    assert run_report(args(since="yesterday"), shop_db.config) == 2
    assert "expected 7d, 24h" in capsys.readouterr().err


def test_half_an_hour_of_silence_starts_a_new_conversation() -> None:
    t0 = datetime(2026, 11, 23, 6, tzinfo=UTC)
    msgs = [MessageRow(1, t0, 1, "in", "text", "你好"),
            MessageRow(2, t0 + SESSION_GAP - timedelta(seconds=1), 1, "in", "text", "在吗"),
            MessageRow(3, t0 + 2 * SESSION_GAP, 1, "in", "text", "卡密怎么用")]
    sessions = build_sessions(msgs, [], [], {})
    assert [(s.start, s.end) for s in sessions] == [(t0, msgs[1].at), (msgs[2].at,) * 2]


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0


def test_a_ticket_kefu_handled_itself_counts_as_settled_by_the_bot(tmp_path: Path) -> None:
    config, at = kefu_handled_db(tmp_path)
    conn = open_readonly(config.database)
    assert conn is not None
    figures = build_report(read_dataset(conn, at - timedelta(days=1), at + timedelta(days=1)),
                           config, at + timedelta(hours=1)).figures
    v = figures.volume
    assert (v.conversations, v.bot_settled, v.with_ticket, v.kefu_handled) == (1, 1, 0, 1)
    assert v.handoffs == {} and v.by_day[0].tickets == {"S": 0, "A": 0, "B": 0}
    assert [t.count for t in figures.first_reply] == [0, 0, 0]
    assert (figures.promises.kept, figures.promises.broken) == (0, 0)
    assert v.by_intent[0].intent == "card_not_received"


def test_escalations_recorded_before_one_policy_count_the_same() -> None:
    at = datetime(2026, 11, 23, tzinfo=UTC)
    events = [EventRow(1, at, "bot", "escalated", {"reason": "sla", "target": "resolve"}),
              EventRow(1, at, "bot", "escalated", {"reason": "sla_resolve"}),  # before
              EventRow(2, at, "bot", "escalated", {"reason": "chased"}),
              EventRow(2, at, "bot", "chase_escalated", {"chases": 3}),  # before
              EventRow(3, at, "agent:501", "escalated", {"reason": "agent", "note": "金额大"}),
              EventRow(3, at, "agent:501", "escalated", {"reason": "金额大"})]  # before
    assert figures.sla([], events).escalations == {"sla_resolve": 2, "chased": 2, "manual": 2}
