"""`kefu eval`: exact figures on a tiny FAQ and a handful of labelled lines."""

import json
from pathlib import Path

import pytest

from intents.decide import Thresholds
from intents.match import load_matcher
from tools.cli import main
from tools.evaluate import EvalError, evaluate, load_cases

TINY_FAQ = """\
intents:
  - {id: refund_request, examples: [我要退款, 申请退款, 退款, 付了五十块 申请退款 订单号]}
  - {id: greeting, examples: [你好, 在吗]}
  - {id: none, examples: [今天天气怎么样, 讲个笑话]}
"""
CASES = [
    {"text": "我要退款", "intent": "refund_request", "demand": "退款"},
    {"text": "你好", "intent": "greeting"},
    {"text": "今天天气怎么样", "intent": "none"},
    {"text": "你好", "intent": "refund_request"},  # labelled wrong on purpose: confidently wrong
    {"text": "申请退款 订单号KM202411221530123456 付了五十块", "intent": "refund_request",
     "order_no": "KM202411221530123456", "amount": 50},
]
KEYS = {"n", "accuracy", "top1", "top3_accuracy", "confident_wrong", "answered",
        "order_no_accuracy", "demand_accuracy", "amount_accuracy", "p50_ms", "p99_ms"}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    faq, cases = tmp_path / "faq.yaml", tmp_path / "cases.jsonl"
    faq.write_text(TINY_FAQ, encoding="utf-8")
    cases.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n\n",
                     encoding="utf-8")
    return faq, cases


def test_figures_on_a_tiny_faq_are_exact(files: tuple[Path, Path]) -> None:
    faq, cases = files
    th = Thresholds(answer=0.5, margin=0.1, clarify=0.2)
    figures, outcomes = evaluate(load_matcher(faq), load_cases(cases), th)
    assert [o.label for o in outcomes] == ["refund_request", "greeting", "none", "greeting",
                                           "refund_request"]
    assert figures["n"] == 5
    assert figures["accuracy"] == 0.8
    assert figures["top1"] == figures["top3_accuracy"] == 0.75  # the none case is left out
    assert figures["confident_wrong"] == 0.2
    assert figures["order_no_accuracy"] == figures["amount_accuracy"] == 1.0
    assert figures["demand_accuracy"] == 1.0


def test_cli_json_is_one_object_on_the_last_line(files: tuple[Path, Path], capsys) -> None:
    faq, cases = files
    assert main(["eval", str(cases), "--faq", str(faq), "--json"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert set(figures) == KEYS and figures["n"] == 5


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "你好", "intent": "greeting"}\n{"text": "no intent"}\n',
                    encoding="utf-8")
    with pytest.raises(EvalError, match=r"bad.jsonl:2"):
        load_cases(path)
