"""FAQ gaps: fallback and clarify messages grouped by similarity, and faq.yaml stubs."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from intents.faq import parse_faq
from intents.match import Matcher
from tests.report_fixtures import ShopDb, make_shop_db
from tools.report.command import run_report
from tools.report.gaps import faq_gaps, yaml_stubs
from tools.report.read import open_readonly, read_dataset
from tools.report.rows import MessageRow, OfferRow
from tools.report.sessions import CLARIFY, FALLBACK, OTHER, Turn, decide_turns
from tools.report.sql import canned_queries

T0 = datetime(2026, 11, 23, 6, tzinfo=UTC)


def turns(*said: tuple[int, str, str] | tuple[int, str, str, tuple[str, ...]]) -> list[Turn]:
    """(buyer, text, decision[, intents a clarify offered]) in order, a minute apart."""
    return [Turn(s[0], T0 + timedelta(minutes=n), s[1], s[2], s[3] if len(s) > 3 else ())
            for n, s in enumerate(said)]


def test_similar_wordings_form_one_group_with_counts_and_examples() -> None:
    gaps = faq_gaps(turns(
        (1, "能开发票吗", FALLBACK), (2, "能开发票吗", FALLBACK), (3, "可以开发票吗", FALLBACK),
        (4, "开发票", FALLBACK), (5, "会员怎么开通", FALLBACK), (6, "开通会员", FALLBACK),
        (6, "怎么开通会员", FALLBACK), (7, "今天天气怎么样", FALLBACK),
        (8, "明天天气怎么样", FALLBACK), (9, "卡密怎么用", OTHER)))
    grouped = [(g.text, g.count, g.buyers, g.examples) for g in gaps]
    assert grouped == [
        ("能开发票吗", 4, 4, ("能开发票吗", "开发票", "可以开发票吗")),
        ("开通会员", 3, 2, ("开通会员", "会员怎么开通", "怎么开通会员")),
        ("今天天气怎么样", 2, 2, ("今天天气怎么样", "明天天气怎么样"))]


def test_unrelated_questions_stay_apart_and_answered_ones_are_not_gaps() -> None:
    gaps = faq_gaps(turns((1, "能开发票吗", FALLBACK), (2, "会员多少钱", FALLBACK),
                          (3, "支持支付宝吗", FALLBACK), (4, "卡密怎么用", OTHER)))
    assert sorted(g.text for g in gaps) == ["会员多少钱", "支持支付宝吗", "能开发票吗"]


def test_clarified_messages_name_the_intent_they_were_nearest() -> None:
    gaps = faq_gaps(turns((1, "卡密退款", CLARIFY, ("refund_request", "card_usage")),
                          (2, "卡密 退款", CLARIFY, ("refund_request",)),
                          (3, "卡密退款", FALLBACK)))
    assert len(gaps) == 1
    g = gaps[0]
    assert (g.count, g.buyers, g.fallback, g.clarify) == (3, 3, 1, 2)
    assert g.offered == {"refund_request": 2, "card_usage": 1}
    assert g.nearest == "refund_request"


def test_emoji_and_punctuation_alone_are_not_gaps() -> None:
    said = turns((1, "😀😀", FALLBACK), (2, "？？？", FALLBACK), (3, " ", FALLBACK))
    assert faq_gaps(said) == []


def test_decisions_are_read_from_the_buttons_of_the_same_turn() -> None:
    msgs = [MessageRow(1, T0, 1, "in", "text", "发票怎么开"),
            MessageRow(2, T0 + timedelta(minutes=1), 2, "in", "text", "讲个笑话"),
            MessageRow(3, T0 + timedelta(minutes=2), 3, "in", "text", "卡密怎么用"),
            MessageRow(4, T0 + timedelta(minutes=3), 3, "in", "button", "fb:yes")]
    offers = [OfferRow(1, T0, ("pick:card_usage", "human")),
              OfferRow(2, T0 + timedelta(minutes=1), ("human",)),
              OfferRow(3, T0 + timedelta(minutes=2), ("fb:yes", "fb:no"))]
    decided = [(t.text, t.decision, t.offered) for t in decide_turns(msgs, offers)]
    assert decided == [("发票怎么开", CLARIFY, ("card_usage",)), ("讲个笑话", FALLBACK, ()),
                       ("卡密怎么用", OTHER, ())]


def test_a_recorded_decision_outranks_the_buttons_of_the_turn() -> None:
    later = [T0 + timedelta(minutes=n) for n in range(4)]
    msgs = [MessageRow(1, later[0], 1, "in", "text", "发票怎么开", None, "fallback", "none"),
            MessageRow(2, later[1], 2, "in", "text", "退款", None, "clarify", "refund_request"),
            MessageRow(3, later[2], 3, "in", "text", "卡密怎么用", None, "answer", "card_usage"),
            MessageRow(4, later[3], 4, "in", "text", "讲个笑话")]  # older than the column
    offers = [OfferRow(2, later[1], ("pick:refund_request", "pick:refund_progress", "human")),
              OfferRow(3, later[2], ("human",)),  # a lone 转人工 no longer decides
              OfferRow(4, later[3], ("human",))]
    decided = [(t.text, t.decision, t.offered) for t in decide_turns(msgs, offers)]
    assert decided == [("发票怎么开", FALLBACK, ()),
                       ("退款", CLARIFY, ("refund_request", "refund_progress")),
                       ("卡密怎么用", OTHER, ()), ("讲个笑话", FALLBACK, ())]


def decided_turns(shop: ShopDb, db: Path) -> list[tuple[str, str]]:
    """(text, decision) of every buyer text in the shop's period, read from db."""
    conn = open_readonly(db)
    assert conn is not None
    with closing(conn):
        data = read_dataset(conn, shop.since, shop.until, progress=False)
    return [(t.text, t.decision) for t in decide_turns(data.messages, data.offers)]


def gap_query(db: Path) -> set[str]:
    """The texts the dashboard's FAQ-gap query finds."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(canned_queries(480)["faq_gaps"]["sql"], {"since": "", "until": ""})
        return {r[0] for r in rows}


def test_the_shops_decisions_come_from_the_rows_and_older_rows_from_buttons(
        tmp_path: Path, mini_matcher: Matcher) -> None:
    shop = make_shop_db(tmp_path, mini_matcher)
    db = Path(shop.config.database)
    decided = decided_turns(shop, db)
    assert {d for _, d in decided} == {CLARIFY, FALLBACK, OTHER}
    gaps = {text for text, d in decided if d != OTHER}
    assert gap_query(db) == gaps
    old = tmp_path / "before_the_column.db"
    shutil.copy(db, old)
    with closing(sqlite3.connect(old)) as conn:
        conn.execute("ALTER TABLE messages DROP COLUMN decision")
        conn.execute("ALTER TABLE messages DROP COLUMN intent")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE outbox SET choices = '[]'")  # only the rows can tell now
    assert decided_turns(shop, db) == decided and gap_query(db) == gaps
    assert decided_turns(shop, old) == decided


def test_yaml_stubs_parse_and_become_intents_once_answered() -> None:
    gaps = faq_gaps(turns((1, "能开发票吗", FALLBACK), (2, "开发票: 要 #专票", FALLBACK),
                          (3, "卡密退款", CLARIFY, ("refund_request",))))
    text = yaml_stubs(gaps, "2026-11-23 – 2026-11-25", {"refund_request": "申请退款"})
    assert "# 或把例句加到 / or add the examples to: refund_request (申请退款)" in text
    stubs = yaml.safe_load(text)
    assert [s["id"] for s in stubs] == ["gap_01", "gap_02"]
    assert stubs[0]["answer"] == "" and stubs[0]["action"] == "answer"
    assert "开发票: 要 #专票" in stubs[0]["examples"]  # YAML syntax in buyer text stays text
    faq = parse_faq({"intents": [{**s, "answer": "可以开发票"} for s in stubs]})
    assert faq.get("gap_01").examples[0] == "能开发票吗"  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, mini_matcher: Matcher) -> ShopDb:
    return make_shop_db(tmp_path_factory.mktemp("shop"), mini_matcher)


def test_cli_writes_stubs_for_the_shops_gaps(shop: ShopDb, capsys: pytest.CaptureFixture) -> None:
    args = argparse.Namespace(since="2026-11-23", until="2026-11-25", format="text", out=None,
                              faq_gaps=True, yaml=True)
    assert run_report(args, shop.config, shop.now) == 0
    stubs = yaml.safe_load(capsys.readouterr().out)
    assert stubs[0]["examples"] == ["开发票", "能开发票吗"]
    assert sorted(x for s in stubs[1:] for x in s["examples"]) == [
        "今天天气怎么样", "卡密", "发票怎么开", "讲个笑话"]


def test_cli_lists_gaps_as_a_table(shop: ShopDb, capsys: pytest.CaptureFixture) -> None:
    args = argparse.Namespace(since="2026-11-23", until="2026-11-25", format="text", out=None,
                              faq_gaps=True, yaml=False)
    assert run_report(args, shop.config, shop.now) == 0
    out = capsys.readouterr().out
    assert out.startswith("kefu FAQ 缺口 / FAQ gaps  2026-11-23 00:00")
    assert "  2     2     开发票" in out


@pytest.mark.parametrize(("one", "other"), [
    ("KM202411221530123456 开票", "KM202411221530123456 退吗"),
    ("KM202411221530123456 发票呢", "KM202411221530123456 在吗 急"),
    ("KM202411221530123456 30元 发票", "KM202411221530123456 30元 换号"),
])
def test_order_numbers_and_amounts_do_not_group_unrelated_questions(one: str,
                                                                    other: str) -> None:
    assert len(faq_gaps(turns((1, one, FALLBACK), (2, other, FALLBACK)))) == 2


def test_the_same_question_about_other_orders_and_amounts_still_groups() -> None:
    gaps = faq_gaps(turns((1, "KM202411221530123456 能开发票吗", FALLBACK),
                          (2, "能开发票吗 KM202411229999999999", FALLBACK),
                          (3, "付了30元 能开发票吗", FALLBACK)))
    assert [(g.count, g.buyers) for g in gaps] == [(3, 3)]


def test_the_gap_table_cuts_long_wordings_to_a_readable_width() -> None:
    from tools.report.sections import GAP_SIMILAR, GAP_TEXT, gaps
    essay = "我想问一下你们这个会员到底怎么开通" * 20
    found = faq_gaps(turns(*[(n, essay + "?" * n, FALLBACK) for n in range(1, 6)]))
    row = gaps(found).rows[0]
    assert len(row[2]) <= GAP_TEXT and row[2].endswith("…")
    assert len(row[3]) <= GAP_SIMILAR and "\n" not in row[3]
