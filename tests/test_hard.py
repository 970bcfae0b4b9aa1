"""The hardest held-out set: long, rambling buyer messages, many with several problems.

tests/data/hard.jsonl (issue 15) is 196 messages of 51-147 characters written fresh for
scoring only: angry, hurried, polite and confused buyers, typos and homophones, traditional
characters, Cantonese, full-width digits, order numbers mid-sentence, amounts written every
way. 73 lines carry `also`, the secondary problems of the message. Never tune the matcher or
faq.yaml on it, and never copy its lines into faq.yaml or dev.jsonl: it is only honest while
nobody who tunes has read it.

The floors below sit two or three lines under what main scored when the set was written
(accuracy 0.7194, confident_wrong 0, answered 0.0255, multi_found 0 (kefu did not report
secondary intents yet), order_no 1.0, demand 0.7368, amount 0.7143, fallback 0.2908).
After the clause-aware matcher (tuned on dev.jsonl and tune_long.jsonl only): accuracy
0.9031, answered 0.4388, multi_found 0.1096, demand 0.7789, amount 0.7976, fallback 0.051,
confident_wrong 0; the floors below sit a little under these. They
only stop matching from silently getting worse. Issue 15's targets are much higher (accuracy
≥ 0.88 on messages over 50 characters with fallback ≤ 0.10, both problems found in ≥ 0.8 of
multi-problem lines, amount ≥ 0.92, demand ≥ 0.90): raise a floor when main reaches more.
"""

import json
import re
from pathlib import Path

import pytest

from intents.contract import CONTRACT_IDS
from intents.decide import Thresholds
from intents.extract import DEFAULT_ORDER_PATTERN
from tools.evaluate import evaluate, load_cases

HARD = Path(__file__).parent / "data" / "hard.jsonl"
DEMANDS = {"补发", "退款", "查询", "其他"}
FULL_WIDTH = {c + 0xFEE0: c for c in range(0x21, 0x7F)}


@pytest.fixture(scope="module")
def figures(matcher) -> dict:
    """Headline figures with the default thresholds, computed once."""
    return evaluate(matcher, load_cases(HARD), Thresholds())[0]


# --- floors: a little under what main scores; the issue's targets are higher -------------
def test_hard_accuracy_does_not_drop(figures) -> None:
    assert figures["accuracy"] >= 0.88, figures
    assert figures["top3_accuracy"] >= 0.98, figures


def test_hard_long_messages_do_not_fall_back_more(figures) -> None:
    assert figures["by_length"][">50"]["fallback"] <= 0.08, figures


def test_hard_confidently_wrong_answers_stay_rare(figures) -> None:
    assert figures["confident_wrong"] <= 0.02, figures
    assert figures["answered"] >= 0.40, figures


def test_hard_details_are_extracted(figures) -> None:
    assert figures["order_no_accuracy"] >= 0.98, figures
    assert figures["demand_accuracy"] >= 0.75, figures
    assert figures["amount_accuracy"] >= 0.77, figures


def test_hard_reports_multi_found(figures) -> None:
    assert figures["multi_found"] >= 0.08, figures


# --- the file keeps the promises issue 15 makes about it ----------------------------------
def test_hard_file_is_what_issue_15_asks_for() -> None:
    rows = [json.loads(line) for line in HARD.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    assert all(50 <= len(r["text"]) <= 200 for r in rows)
    assert len({r["text"] for r in rows}) == len(rows)
    multi = [r for r in rows if r.get("also")]
    assert len(multi) >= 60
    assert {r["intent"] for r in rows} == set(CONTRACT_IDS)  # every intent id, as main problem
    for r in rows:
        assert r["intent"] in CONTRACT_IDS, r
        also = r.get("also", [])
        assert all(a in CONTRACT_IDS and a != "none" for a in also), r
        assert r["intent"] not in also and len(set(also)) == len(also), r
        assert r.get("demand", "补发") in DEMANDS, r
        if "order_no" in r:
            assert re.fullmatch(DEFAULT_ORDER_PATTERN, r["order_no"]), r
            flat = re.sub(r"[\s-]", "", r["text"].translate(FULL_WIDTH))
            assert r["order_no"] in flat, r
        if "amount" in r:
            assert isinstance(r["amount"], (int, float)) and r["amount"] > 0, r
