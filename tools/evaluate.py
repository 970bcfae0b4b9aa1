"""`kefu eval`: measure the matcher and extractors on a labelled JSONL file."""

from __future__ import annotations

import json
import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents.decide import NONE, Thresholds
from intents.extract import DEFAULT_ORDER_PATTERN
from intents.match import Matcher
from intents.understand import understand
from tools.report.stats import percentile


class EvalError(ValueError):
    """The evaluation file is unusable; the message names the line."""


@dataclass(frozen=True)
class Case:
    """One labelled message."""

    text: str
    intent: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What kefu made of one case."""

    case: Case
    label: str
    kind: str
    top3: tuple[str, ...]
    extracted: dict[str, Any]
    ms: float


def load_cases(path: Path) -> list[Case]:
    """Read `{text, intent, [order_no, demand, amount]}` lines."""
    cases = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            fields = {k: row[k] for k in ("order_no", "demand", "amount") if k in row}
            cases.append(Case(str(row["text"]), str(row["intent"]), fields))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{no}: expected an object with text and intent ({exc})") \
                from exc
    return cases


def run_case(matcher: Matcher, case: Case, th: Thresholds, pattern: str) -> Outcome:
    """Understand one message and time it."""
    start = time.perf_counter()
    u = understand(matcher, case.text, th, pattern)
    ms = (time.perf_counter() - start) * 1000
    top3 = tuple(c.intent for c in u.ranking.candidates[:3])
    extracted = {"order_no": u.details.order_no, "demand": u.details.demand,
                 "amount": u.details.amount}
    return Outcome(case, u.decision.label, u.decision.kind, top3, extracted, ms)


def evaluate(matcher: Matcher, cases: list[Case], th: Thresholds,
             pattern: str = DEFAULT_ORDER_PATTERN) -> tuple[dict[str, Any], list[Outcome]]:
    """All headline metrics, and each case's outcome for the per-intent table."""
    outcomes = [run_case(matcher, c, th, pattern) for c in cases]
    return metrics(outcomes), outcomes


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _field_ok(name: str, got: Any, want: Any) -> bool:
    if name == "amount":
        return got is not None and math.isclose(float(got), float(want), abs_tol=0.005)
    return got == want


def metrics(outcomes: list[Outcome]) -> dict[str, Any]:
    """Headline figures as `kefu eval --json` prints them."""
    n = len(outcomes)
    ranked = [o for o in outcomes if o.case.intent != NONE]
    ms = [o.ms for o in outcomes]
    result: dict[str, Any] = {
        "n": n,
        "accuracy": _share(sum(o.label == o.case.intent for o in outcomes), n),
        "top1": _share(sum(o.top3[:1] == (o.case.intent,) for o in ranked), len(ranked)),
        "top3_accuracy": _share(sum(o.case.intent in o.top3 for o in ranked), len(ranked)),
        "confident_wrong": _share(
            sum(o.kind == "answer" and o.label != o.case.intent for o in outcomes), n),
        "answered": _share(sum(o.kind == "answer" for o in outcomes), n),
    }
    for name in ("order_no", "demand", "amount"):
        carrying = [o for o in outcomes if name in o.case.fields]
        hits = sum(_field_ok(name, o.extracted[name], o.case.fields[name]) for o in carrying)
        result[f"{name}_accuracy"] = _share(hits, len(carrying))
    result["p50_ms"] = round(percentile(ms, 50) or 0.0, 3)
    result["p99_ms"] = round(percentile(ms, 99) or 0.0, 3)
    return result


def per_intent_table(outcomes: list[Outcome]) -> str:
    """Precision, recall and the commonest confusions per expected intent."""
    expected = Counter(o.case.intent for o in outcomes)
    predicted = Counter(o.label for o in outcomes)
    confused: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        if o.label != o.case.intent:
            confused[o.case.intent][o.label] += 1
    rows = [f"{'intent':<24}{'n':>5}{'prec':>7}{'recall':>8}  confused with"]
    for intent in sorted(set(expected) | set(predicted)):
        hits = expected[intent] - sum(confused[intent].values())
        prec = hits / predicted[intent] if predicted[intent] else 0.0
        rec = hits / expected[intent] if expected[intent] else 0.0
        top = ", ".join(f"{i}×{c}" for i, c in confused[intent].most_common(3))
        rows.append(f"{intent:<24}{expected[intent]:>5}{prec:>7.2f}{rec:>8.2f}  {top}")
    return "\n".join(rows)
