"""`kefu report` and the dashboard's canned queries agree on every shared figure.

Generated shops (random buyers, turns, buttons, intake questions, tickets by people and by
kefu, follow-ups, silences around the conversation gap) are read both ways.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import Demand, Feedback, Human, Pick, Rate, encode
from bot.db import open_db
from tools.report.read import open_readonly, read_dataset
from tools.report.sessions import build_sessions
from tools.report.sql import canned_queries
from tools.report.volume import by_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
HUMAN, UNSOLVED = encode(Human()), encode(Feedback("no"))
GAPS = [10, 60, 600, 1799, 1800, 1801, 3600, 20 * 3600]  # seconds: around the 30-minute cut


class Shop:
    """Rows written as kefu writes them, on a migrated database file."""

    def __init__(self, path: Path) -> None:
        self.db = open_db(path)
        self.tickets: dict[int, list[int]] = {}

    def message(self, user: int, at: datetime, direction: str, kind: str, text: str,
                decision: str | None = None, ticket: int | None = None) -> None:
        self.db.execute("INSERT INTO messages (at, user_id, ticket_id, direction, sender, kind, "
                        "text, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [at.isoformat(), user, ticket, direction,
                         "buyer" if direction == "in" else "bot", kind, text, decision])

    def offer(self, user: int, at: datetime, *data: str) -> None:
        choices = json.dumps([{"label": d, "data": d} for d in data])
        self.db.execute("INSERT INTO outbox (at, audience, user_id, text, choices) "
                        "VALUES (?, 'user', ?, 'x', ?)", [at.isoformat(), user, choices])
        self.message(user, at, "out", "text", "x")

    def ticket(self, user: int, at: datetime, tier: str, by_kefu: bool) -> int:
        cur = self.db.execute(
            "INSERT INTO tickets (number, user_id, intent, tier, stage, owner, agent_id, "
            "created_at, first_reply_at) VALUES (?, ?, 'card_not_received', ?, '受理', 'bot', "
            "?, ?, ?)", [f"T{random.random()}", user, tier, None if by_kefu else 501,
                         at.isoformat(), at.isoformat() if by_kefu else None])
        tid = int(cur.lastrowid or 0)
        self.db.execute("INSERT INTO ticket_events (ticket_id, at, actor, event, data) VALUES "
                        "(?, ?, 'bot', 'opened', ?)", [tid, at.isoformat(),
                                                       json.dumps({"tier": tier})])
        self.tickets.setdefault(user, []).append(tid)
        return tid


def generate(shop: Shop, rng: random.Random, buyers: int = 25) -> None:
    """Buyers doing what buyers do, each turn a random kind."""
    for user in range(1, buyers + 1):
        at = T0 + timedelta(seconds=rng.randrange(0, 3 * 86400))
        for _ in range(rng.randrange(1, 9)):
            at += timedelta(seconds=rng.choice(GAPS))
            step = rng.choice(["answer", "answer", "clarify", "fallback", "old_clarify",
                               "old_fallback", "human", "unsolved", "command", "intake",
                               "rate", "ticket", "kefu_ticket", "follow_up", "bot_only"])
            if step == "bot_only":
                shop.message(user, at, "out", "text", "提醒")
            elif step in ("answer", "clarify", "fallback"):
                shop.message(user, at, "in", "text", "问题", decision=step)
            elif step == "old_clarify":  # rows older than the decision column
                shop.message(user, at, "in", "text", "问题")
                shop.offer(user, at, encode(Pick("refund_request")), HUMAN)
            elif step == "old_fallback":
                shop.message(user, at, "in", "text", "问题")
                shop.offer(user, at, HUMAN)
            elif step in ("human", "unsolved"):
                shop.message(user, at, "in", "button", HUMAN if step == "human" else UNSOLVED)
            elif step == "command":
                shop.message(user, at, "in", "command", "/human ")
            elif step == "intake":
                shop.message(user, at, "in", "text", "卡密没到", decision="answer")
                shop.offer(user, at, encode(Demand("补发")))
            elif step == "rate":
                shop.message(user, at, "in", "button", encode(Rate(1, 5)))
            elif step in ("ticket", "kefu_ticket"):
                shop.message(user, at, "in", "text", "转人工", decision="answer")
                shop.ticket(user, at, rng.choice("SAB"), step == "kefu_ticket")
            elif shop.tickets.get(user):  # follow_up on an older ticket
                shop.message(user, at, "in", "text", "进度", decision="answer",
                             ticket=shop.tickets[user][0])


@pytest.fixture(params=range(12))
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kefu.db"
    shop = Shop(path)
    generate(shop, random.Random(request.param))
    shop.db.conn.commit()
    shop.db.conn.close()
    yield path


def report_days(path: Path) -> dict[str, tuple]:
    conn = open_readonly(path)
    assert conn is not None
    data = read_dataset(conn, datetime(2000, 1, 1, tzinfo=UTC),
                        datetime(2100, 1, 1, tzinfo=UTC), progress=False)
    sessions = build_sessions(data.messages, data.offers, data.tickets, data.opened_at)
    tiers = {t.id: t.tier for t in data.tickets}
    counted = [s for s in sessions if s.outcome != "follow_up"]
    return {d.day: (d.conversations, d.bot_settled, d.self_service, d.tickets["S"],
                    d.tickets["A"], d.tickets["B"])
            for d in by_day(counted, data.tickets, tiers, SHANGHAI)
            if d.conversations or any(d.tickets.values())}


def dashboard_days(path: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    sql = canned_queries(480)["daily_volume"]["sql"]
    rows = {r["day"]: (r["conversations"], r["bot_settled"], r["self_service_share"], r["S"],
                       r["A"], r["B"])
            for r in conn.execute(sql, {"since": "", "until": ""})}
    # The report lists quiet days between busy ones, the dashboard days with any message:
    # compare the days with something to count.
    return {day: row for day, row in rows.items() if row[0] or any(row[3:])}


def test_daily_volume_and_self_service_agree_with_the_report(seeded: Path) -> None:
    assert dashboard_days(seeded) == report_days(seeded)


def test_a_buyer_who_left_mid_intake_is_not_self_served(tmp_path: Path) -> None:
    shop = Shop(tmp_path / "kefu.db")
    shop.message(1, T0, "in", "text", "卡密没到", decision="answer")
    shop.offer(1, T0, encode(Demand("补发")))  # the intake asks what they want: they go
    shop.message(2, T0, "in", "text", "怎么充值", decision="answer")  # answered
    shop.message(3, T0, "in", "button", HUMAN)  # asked for a person, left before a ticket
    shop.message(4, T0, "in", "text", "???", decision="fallback")  # not understood
    shop.db.conn.commit()
    [day] = dashboard_days(tmp_path / "kefu.db").values()
    assert day[:3] == (4, 1, 0.25)
    assert report_days(tmp_path / "kefu.db") == dashboard_days(tmp_path / "kefu.db")
