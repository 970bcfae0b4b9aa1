"""Several problems in one message: the one a person acts on first, and up to two more.

Each clause of a message (intents.clauses) is ranked on its own; a clause that names one
problem clearly, as a short message would, counts as found. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.decide import NONE, Decision, Thresholds, decide
from intents.faq import Faq
from intents.match import Ranking

MAX_ALSO = 2
# Social turns and chit-chat are no problem to act on, even beside one.
NOT_PROBLEMS = frozenset({"greeting", "thanks", "goodbye", NONE})
# A clause must name its problem more plainly than a message needs to be answered: on
# dev/heldout/tune_long clauses, 0.55/0.10 found the wrong intent in 15 % of clauses,
# mostly short asks ("帮我看看" -> order_status).
CLEAR = Thresholds(answer=0.65, margin=0.15)
# Going over the shop's head ("再不处理就去12315投诉") is pressure (intents.mood), not a
# complaint about the service to be handled on its own.
_THREAT = re.compile(r"12315|消协|工商|报警|律师|曝光|平台|再不|不然|否则|要是")
# Wishes that every problem intent already carries as its demand: "卡密没到 帮我退款"
# is one problem with 退款 as the wish, not two problems.
_DEMAND_LIKE = frozenset({"refund_request", "order_status"})
_TIER_ORDER = {"S": 0, "A": 0, "B": 1, None: 2}


@dataclass(frozen=True)
class Finding:
    """One problem a clause names clearly."""

    intent: str
    score: float


def findings(ranking: Ranking, clear: Thresholds = CLEAR) -> tuple[Finding, ...]:
    """Problems named clearly in a clause of their own, in the order they were said."""
    found: dict[str, Finding] = {}
    for part in ranking.parts:
        d = decide(part, clear)
        if d.kind != "answer" or d.intent in NOT_PROBLEMS or d.intent in found:
            continue
        if d.intent == "complaint" and _THREAT.search(part.text):
            continue
        found[d.intent] = Finding(d.intent, d.confidence)
    return tuple(found.values())


def _acts_first(faq: Faq, ranking: Ranking, found: tuple[Finding, ...]) -> Finding | None:
    """The finding a person handles first: a concrete problem before a bare wish (退款), a
    question or a complaint, then the one the whole message ranks highest."""
    whole = {c.intent: c.score for c in ranking.candidates}
    usable = [f for f in found if f.intent in whole]
    if not usable:
        return None

    def key(f: Finding) -> tuple[bool, bool, int, float]:
        intent = faq.get(f.intent)
        return (f.intent == "complaint", f.intent in _DEMAND_LIKE,
                _TIER_ORDER.get(intent.tier if intent else None, 2), -whole[f.intent])

    return min(usable, key=key)


def _redundant(faq: Faq, primary: str, other: str) -> bool:
    """`other` only restates the wish of the primary problem (a refund, a look-up)."""
    if other not in _DEMAND_LIKE:
        return False
    intent = faq.get(primary)
    rule = intent.ticket if intent else None
    return rule is not None and rule.demand in ("ask", "退款", "补发", "查询")


def _problem_before_courtesy(decision: Decision) -> Decision:
    """"您好 退款多久到账 谢谢": when a courtesy ties with a problem, ask about the problem
    first; the greeting needs no answer of its own."""
    if decision.kind != "clarify" or decision.intent not in NOT_PROBLEMS:
        return decision
    problems = [c for c in decision.choices if c not in NOT_PROBLEMS]
    if not problems:
        return decision
    rest = [c for c in decision.choices if c != problems[0]]
    return Decision("clarify", problems[0], decision.confidence, (problems[0], *rest))


def several(faq: Faq, ranking: Ranking, decision: Decision,
            th: Thresholds) -> tuple[Decision, tuple[str, ...]]:
    """The decision to act on, and up to MAX_ALSO more problems the message names."""
    decision = _problem_before_courtesy(decision)
    found = findings(ranking)
    if not found:
        return decision, ()
    named = {f.intent: f for f in found}
    if decision.kind == "clarify" and decision.intent in named:
        # The message's first intent, stated plainly in a clause: no need to ask.
        decision = Decision("answer", decision.intent, max(named[decision.intent].score,
                                                           decision.confidence))
    elif decision.intent in NOT_PROBLEMS or decision.intent == "complaint":
        first = _acts_first(faq, ranking, found)
        if first is not None and first.intent != decision.intent:
            decision = Decision("answer", first.intent, max(first.score, th.answer))
    also = [f.intent for f in found
            if f.intent != decision.intent and not _redundant(faq, decision.intent, f.intent)]
    return decision, tuple(also[:MAX_ALSO])
