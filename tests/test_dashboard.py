"""`kefu dashboard`: canned queries are valid SQL that agree with the report; Datasette serves
them read-only."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intents.match import Matcher
from tests.report_fixtures import ShopDb, kefu_handled_db, make_shop_db
from tools.dashboard import INSTALL_HINT, TABLES, cmd_dashboard, metadata
from tools.report.command import build_report
from tools.report.read import open_readonly, read_dataset
from tools.report.sections import Report

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, mini_matcher: Matcher) -> ShopDb:
    return make_shop_db(tmp_path_factory.mktemp("shop"), mini_matcher)


@pytest.fixture(scope="module")
def report(shop: ShopDb) -> Report:
    conn = open_readonly(shop.config.database)
    assert conn is not None
    return build_report(read_dataset(conn, shop.since, shop.until), shop.config, shop.now)


def queries(shop: ShopDb) -> dict[str, dict[str, str]]:
    meta = metadata(shop.config.database, SHANGHAI)
    return meta["databases"]["kefu"]["queries"]


def run(shop: ShopDb, name: str, since: str = "", until: str = "") -> list[dict]:
    conn = sqlite3.connect(f"file:{shop.config.database}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(queries(shop)[name]["sql"], {"since": since, "until": until})
    return [dict(r) for r in rows]


def test_every_canned_query_runs_and_has_a_title(shop: ShopDb) -> None:
    for name, query in queries(shop).items():
        assert query["title"] and query["description"], name
        assert run(shop, name), f"{name} returned no rows"
        later = run(shop, name, "2030-01-01")  # an empty period runs too
        assert all(not v for row in later for k, v in row.items() if k != "day"), name


def test_percentiles_agree_with_the_report(shop: ShopDb, report: Report) -> None:
    first = {r["tier"]: (r["tickets"], r["p50_minutes"], r["p90_minutes"])
             for r in run(shop, "first_reply_by_tier")}
    assert first == {t.tier: (t.count, t.p50, t.p90) for t in report.figures.first_reply
                     if t.count}
    solved = {r["tier"]: (r["p50_minutes"], r["p90_minutes"])
              for r in run(shop, "resolution_by_tier")}
    assert solved == {t.tier: (t.p50, t.p90) for t in report.figures.resolution if t.count}


def test_counts_agree_with_the_report(shop: ShopDb, report: Report) -> None:
    f = report.figures
    assert {r["stars"]: r["tickets"] for r in run(shop, "ratings")} == {
        n: c for n, c in f.ratings.distribution.items() if c}
    assert {r["reason"]: r["tickets"] for r in run(shop, "handoff_reasons")} == \
        f.volume.handoffs
    assert {r["reason"]: r["escalations"] for r in run(shop, "escalations")} == \
        f.sla.escalations
    assert run(shop, "reopen_rate") == [{"reopened": 1, "resolved": 3, "reopen_rate": 0.333}]
    assert run(shop, "sla_breaches") == [{"target": "first_reply", "tier": "B",
                                          "breaches": 1, "tickets": 1}]
    eta = run(shop, "eta_promises")[0]  # measured against the real clock: T6 is late by now
    assert (eta["kept"], eta["broken"] + eta["pending"]) == (2, 4)


def test_agents_and_days_agree_with_the_report(shop: ShopDb, report: Report) -> None:
    agents = {r["agent"]: (r["tickets"], r["resolved"], r["first_reply_p50"],
                           r["resolution_p50"], r["avg_rating"]) for r in run(shop, "agents")}
    assert agents == {a.name: (a.handled, a.resolved, a.first_reply_p50, a.resolution_p50,
                               a.rating) for a in report.figures.agents}
    days = {r["day"]: (r["S"], r["A"], r["B"], r["conversations"], r["bot_settled"],
                       r["self_service_share"]) for r in run(shop, "daily_volume")}
    assert days == {d.day: (d.tickets["S"], d.tickets["A"], d.tickets["B"], d.conversations,
                            d.bot_settled, d.self_service)
                    for d in report.figures.volume.by_day}


def test_faq_gap_query_finds_the_same_messages(shop: ShopDb, report: Report) -> None:
    texts = {r["text"] for r in run(shop, "faq_gaps")}
    assert texts == {x for g in report.gaps for x in g.examples}


def test_tickets_kefu_handled_itself_stay_out_of_reply_times(tmp_path: Path) -> None:
    config, _ = kefu_handled_db(tmp_path)
    sql = metadata(config.database, SHANGHAI)["databases"]["kefu"]["queries"]
    conn = sqlite3.connect(config.database)
    params = {"since": "", "until": ""}
    assert conn.execute(sql["first_reply_by_tier"]["sql"], params).fetchall() == []
    assert conn.execute(sql["eta_promises"]["sql"], params).fetchall() == [(None, None, None,
                                                                            None)]


def test_period_parameters_filter(shop: ShopDb) -> None:
    by_intent = run(shop, "tickets_by_intent", since="2026-11-24")  # UTC: day two only
    assert by_intent == [{"intent": "refund_request", "tickets": 1, "resolved": 0,
                          "avg_rating": None}]


def test_tables_are_labelled(shop: ShopDb) -> None:
    conn = sqlite3.connect(shop.config.database)
    core = {"tickets", "ticket_events", "messages", "conversations", "agents", "users"}
    labelled = metadata(shop.config.database, SHANGHAI)["databases"]["kefu"]["tables"]
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert core <= present and core <= set(labelled) == set(TABLES)
    assert labelled["tickets"]["title"] == "工单 / tickets"


def test_datasette_answers_a_canned_query_and_refuses_writes(shop: ShopDb) -> None:
    pytest.importorskip("datasette")
    from tools.dashboard import make_datasette

    before = Path(shop.config.database).read_bytes()
    ds = make_datasette(shop.config.database, SHANGHAI)

    async def get(path: str) -> tuple[int, object]:
        response = await ds.client.get(path)
        return response.status_code, response.json()

    status, rows = asyncio.run(get("/kefu/ratings.json?_shape=array&since=&until="))
    assert status == 200 and rows == [{"stars": 5, "tickets": 1}, {"stars": 3, "tickets": 1},
                                      {"stars": 1, "tickets": 1}]
    status, body = asyncio.run(get("/kefu.json?sql=DELETE+FROM+tickets"))
    assert status == 400 and "SELECT" in str(body)
    assert Path(shop.config.database).read_bytes() == before


def test_without_datasette_the_command_says_how_to_install(
        shop: ShopDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import argparse

    monkeypatch.setitem(sys.modules, "datasette.app", None)  # import fails as if absent
    args = argparse.Namespace(config=str(shop.config.source), db=None, host="127.0.0.1",
                              port=8001)
    assert cmd_dashboard(args) == 1
    assert INSTALL_HINT in capsys.readouterr().err


def test_kefu_dashboard_serves_the_database(shop: ShopDb) -> None:
    pytest.importorskip("datasette")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tools.cli", "--config",
                             str(shop.config.source), "dashboard", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/kefu/agents.json?_shape=array&since=&until="
        body = _get_when_up(url, deadline=time.monotonic() + 30, proc=proc)
        assert [r["agent"] for r in json.loads(body)] == ["小王", "老李"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get_when_up(url: str, deadline: float, proc: subprocess.Popen) -> str:
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.2)  # polling for the port to open: there is no event to wait on
    raise AssertionError("kefu dashboard did not answer within 30 s")
