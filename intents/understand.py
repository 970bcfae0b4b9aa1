"""One call from raw text to a decision plus the details it carries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.decide import Decision, Thresholds, decide
from intents.extract import DEFAULT_ORDER_PATTERN, Details, extract
from intents.match import Matcher, Ranking

MAX_INPUT = 2000  # extraction reads further than matching, but nothing reads 10,000 characters
# Asking for a person always reaches one, whatever the matcher thinks.
_HUMAN = re.compile(r"转人工|人工客服|真人客服|找人工|要人工|^(人工|真人|客服|人工服务)$")


@dataclass(frozen=True)
class Understanding:
    """What a message means and what it says."""

    decision: Decision
    ranking: Ranking
    details: Details


def understand(matcher: Matcher, text: str, thresholds: Thresholds,
               order_pattern: str = DEFAULT_ORDER_PATTERN) -> Understanding:
    """Match, decide and extract for one message; never raises on any str."""
    text = text[:MAX_INPUT]
    ranking = matcher.rank(text)
    decision = decide(ranking, thresholds)
    if _HUMAN.search(ranking.text) and matcher.faq.get("contact_human"):
        decision = Decision("answer", "contact_human", max(decision.confidence, 1.0))
    return Understanding(decision, ranking, extract(text, order_pattern))
