"""`kefu eval`: measure the matcher and extractors on a labelled JSONL file.

A line may name several problems: `intent` is the main one (what a person would handle
first) and `also` lists the others. Such a line counts as understood when kefu's label is
any of its problems; `multi_found` is the share of those lines where kefu reported every
one of them (its label plus `Understanding.also`, read with getattr so this works before
and after understand() reports secondary intents). Accuracy and fallback are also given
per length bucket (characters of the text as written), as issue 15's targets are.
"""

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
    also: tuple[str, ...] = ()  # secondary problems of a multi-problem message

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem the message raises, the main one first."""
        return (self.intent, *self.also)


@dataclass(frozen=True)
class Outcome:
    """What kefu made of one case."""

    case: Case
    label: str
    kind: str
    top3: tuple[str, ...]
    extracted: dict[str, Any]
    ms: float
    found: tuple[str, ...] = ()  # kefu's secondary intents (Understanding.also), if any

    @property
    def right(self) -> bool:
        """kefu's label is one of the message's problems."""
        return self.label in self.case.problems

    @property
    def all_found(self) -> bool:
        """kefu reported every problem of the message, as its label or among `found`."""
        return set(self.case.problems) <= {self.label, *self.found}


def load_cases(path: Path) -> list[Case]:
    """Read `{text, intent, [order_no, demand, amount, also]}` lines."""
    cases = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            fields = {k: row[k] for k in ("order_no", "demand", "amount") if k in row}
            also = row.get("also", [])
            if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
                raise TypeError("also must be a list of intent ids")
            cases.append(Case(str(row["text"]), str(row["intent"]), fields, tuple(also)))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
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
    # Understanding.also (secondary intent ids) is being added to intents/understand.py;
    # until it lands every message reports one problem.
    found = tuple(getattr(u, "also", ()) or ())
    return Outcome(case, u.decision.label, u.decision.kind, top3, extracted, ms, found)


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


# Length buckets of issue 15's targets: (name, shortest, longest) in characters.
LENGTH_BUCKETS = (("<=10", 0, 10), ("11-30", 11, 30), ("31-50", 31, 50),
                  (">50", 51, math.inf))


def by_length(outcomes: list[Outcome]) -> dict[str, dict[str, Any]]:
    """Size, accuracy and fallback share per length bucket (`len(text)`)."""
    table = {}
    for name, low, high in LENGTH_BUCKETS:
        bucket = [o for o in outcomes if low <= len(o.case.text) <= high]
        table[name] = {"n": len(bucket),
                       "accuracy": _share(sum(o.right for o in bucket), len(bucket)),
                       "fallback": _share(sum(o.kind == "fallback" for o in bucket),
                                          len(bucket))}
    return table


def metrics(outcomes: list[Outcome]) -> dict[str, Any]:
    """Headline figures as `kefu eval --json` prints them.

    A line with `also` is right when kefu's label (or, for top1/top3, a ranked intent) is
    any of its problems; `multi_found` is None when no line has `also`.
    """
    n = len(outcomes)
    ranked = [o for o in outcomes if o.case.intent != NONE]
    multi = [o for o in outcomes if o.case.also]
    ms = [o.ms for o in outcomes]
    result: dict[str, Any] = {
        "n": n,
        "accuracy": _share(sum(o.right for o in outcomes), n),
        "top1": _share(sum(o.top3[:1] != () and o.top3[0] in o.case.problems for o in ranked),
                       len(ranked)),
        "top3_accuracy": _share(sum(any(p in o.top3 for p in o.case.problems)
                                    for o in ranked), len(ranked)),
        "confident_wrong": _share(sum(o.kind == "answer" and not o.right for o in outcomes), n),
        "answered": _share(sum(o.kind == "answer" for o in outcomes), n),
        "multi_found": _share(sum(o.all_found for o in multi), len(multi)),
    }
    for name in ("order_no", "demand", "amount"):
        carrying = [o for o in outcomes if name in o.case.fields]
        hits = sum(_field_ok(name, o.extracted[name], o.case.fields[name]) for o in carrying)
        result[f"{name}_accuracy"] = _share(hits, len(carrying))
    result["p50_ms"] = round(percentile(ms, 50) or 0.0, 3)
    result["p99_ms"] = round(percentile(ms, 99) or 0.0, 3)
    result["by_length"] = by_length(outcomes)
    return result


def figures_text(figures: dict[str, Any]) -> str:
    """The headline figures one per line, then the length buckets as a small table."""
    lines = [f"{key:<18}{value}" for key, value in figures.items() if key != "by_length"]
    buckets = figures.get("by_length")
    if buckets:
        lines += ["", f"{'length':<10}{'n':>5}{'accuracy':>10}{'fallback':>10}"]
        lines += [f"{name:<10}{b['n']:>5}{_fmt(b['accuracy']):>10}{_fmt(b['fallback']):>10}"
                  for name, b in buckets.items()]
    return "\n".join(lines)


def _fmt(share: float | None) -> str:
    return "-" if share is None else f"{share:.3f}"


def per_intent_table(outcomes: list[Outcome]) -> str:
    """Precision, recall and the commonest confusions per expected (main) intent.

    A multi-problem line labelled with one of its secondary problems is right: it counts
    for its main intent's recall and for the predicted intent's precision.
    """
    expected = Counter(o.case.intent for o in outcomes)
    predicted = Counter(o.label for o in outcomes)
    recalled = Counter(o.case.intent for o in outcomes if o.right)
    precise = Counter(o.label for o in outcomes if o.right)
    confused: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        if not o.right:
            confused[o.case.intent][o.label] += 1
    rows = [f"{'intent':<24}{'n':>5}{'prec':>7}{'recall':>8}  confused with"]
    for intent in sorted(set(expected) | set(predicted)):
        prec = precise[intent] / predicted[intent] if predicted[intent] else 0.0
        rec = recalled[intent] / expected[intent] if expected[intent] else 0.0
        top = ", ".join(f"{i}×{c}" for i, c in confused[intent].most_common(3))
        rows.append(f"{intent:<24}{expected[intent]:>5}{prec:>7.2f}{rec:>8.2f}  {top}")
    return "\n".join(rows)
