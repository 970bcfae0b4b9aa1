"""`kefu eval`: exact figures on a tiny FAQ and a handful of labelled lines."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import tools.evaluate
from intents.decide import Decision, Thresholds
from intents.extract import Details
from intents.match import Ranking, load_matcher
from intents.understand import understand
from tools.cli import main
from tools.evaluate import EvalError, evaluate, figures_text, load_cases

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
        "multi_found", "order_no_accuracy", "demand_accuracy", "amount_accuracy", "p50_ms",
        "p99_ms", "by_length"}
TH = Thresholds(answer=0.5, margin=0.1, clarify=0.2)


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
    assert figures["multi_found"] is None  # no line has `also`


def test_text_output_has_the_length_table(files: tuple[Path, Path], capsys) -> None:
    faq, cases = files
    assert main(["eval", str(cases), "--faq", str(faq)]) == 0
    out = capsys.readouterr().out
    assert "length" in out and "\n>50 " in out and "by_length" not in out


def test_length_buckets_count_characters_as_written(files: tuple[Path, Path]) -> None:
    faq, cases = files
    figures, _ = evaluate(load_matcher(faq), load_cases(cases), TH)
    # 我要退款, 你好, 今天天气怎么样 (a fallback, rightly none), 你好: <=10;
    # "申请退款 订单号KM… 付了五十块" is 34 characters with its spaces: 31-50.
    assert figures["by_length"] == {
        "<=10": {"n": 4, "accuracy": 0.75, "fallback": 0.25},
        "11-30": {"n": 0, "accuracy": None, "fallback": None},
        "31-50": {"n": 1, "accuracy": 1.0, "fallback": 0.0},
        ">50": {"n": 0, "accuracy": None, "fallback": None},
    }
    assert "<=10" in figures_text(figures)


# --- several problems in one line: `also` -------------------------------------------------
MULTI = [
    # kefu says greeting: a secondary problem of this line, so it counts as understood.
    {"text": "你好", "intent": "refund_request", "also": ["greeting"]},
    # kefu says refund_request, the main problem.
    {"text": "我要退款", "intent": "refund_request", "also": ["greeting"]},
    # kefu says greeting, which is none of this line's problems: wrong.
    {"text": "你好", "intent": "refund_request", "also": ["none"]},
    {"text": "我要退款", "intent": "refund_request"},
]


@dataclass(frozen=True)
class _Before:
    """An Understanding as it was before `also` existed (no such attribute)."""

    decision: Decision
    ranking: Ranking
    details: Details


@dataclass(frozen=True)
class _After(_Before):
    """An Understanding that reports secondary intents."""

    also: tuple[str, ...] = ()


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "multi.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def _stub(monkeypatch, make) -> None:
    def fake(matcher, text, th, pattern):
        u = understand(matcher, text, th, pattern)
        return make(u, text)
    monkeypatch.setattr(tools.evaluate, "understand", fake)


def test_a_line_is_right_when_kefu_names_any_of_its_problems(
        files: tuple[Path, Path], tmp_path: Path, monkeypatch) -> None:
    faq, _ = files
    _stub(monkeypatch, lambda u, text: _Before(u.decision, u.ranking, u.details))
    figures, outcomes = evaluate(load_matcher(faq), load_cases(_write(tmp_path, MULTI)), TH)
    assert [o.label for o in outcomes] == ["greeting", "refund_request", "greeting",
                                           "refund_request"]
    assert [o.right for o in outcomes] == [True, True, False, True]
    assert figures["accuracy"] == 0.75
    assert figures["confident_wrong"] == 0.25  # only the third line
    assert figures["top1"] == 0.75
    # Without Understanding.also kefu names one problem, so no multi line is fully found.
    assert figures["multi_found"] == 0.0


def test_multi_found_counts_lines_where_every_problem_was_reported(
        files: tuple[Path, Path], tmp_path: Path, monkeypatch) -> None:
    faq, _ = files
    reported = {"你好": ("refund_request",), "我要退款": ()}
    _stub(monkeypatch, lambda u, text: _After(u.decision, u.ranking, u.details,
                                              reported[text]))
    figures, outcomes = evaluate(load_matcher(faq), load_cases(_write(tmp_path, MULTI)), TH)
    # Line 1: greeting + also refund_request covers {refund_request, greeting}.
    # Line 2: refund_request alone misses greeting. Line 3: misses none.
    assert [o.all_found for o in outcomes[:3]] == [True, False, False]
    assert figures["multi_found"] == round(1 / 3, 4)
    assert figures["accuracy"] == 0.75  # `also` never changes what counts as accurate


def test_also_must_be_a_list_of_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"text": "你好", "intent": "greeting", "also": "thanks"}])
    with pytest.raises(EvalError, match=r"multi.jsonl:1"):
        load_cases(path)


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "你好", "intent": "greeting"}\n{"text": "no intent"}\n',
                    encoding="utf-8")
    with pytest.raises(EvalError, match=r"bad.jsonl:2"):
        load_cases(path)
