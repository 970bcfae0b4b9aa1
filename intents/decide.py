"""Turn a ranking into what the bot should do: answer, clarify or fall back."""

from __future__ import annotations

from dataclasses import dataclass

from intents.match import Ranking

NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs, chosen from measurements on the dev set (see README)."""

    answer: float = 0.55
    margin: float = 0.06
    clarify: float = 0.35


@dataclass(frozen=True)
class Decision:
    """The action for one message and the intents behind it."""

    kind: str  # "answer" | "clarify" | "fallback"
    intent: str
    confidence: float
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The intent this decision stands for (none unless answer/clarify)."""
        return self.intent if self.kind in ("answer", "clarify") else NONE


def decide(ranking: Ranking, th: Thresholds, max_choices: int = 3) -> Decision:
    """Answer when confident, clarify when close, else fall back to `none`."""
    top = ranking.top
    if top is None or top.intent == NONE or top.score < th.clarify:
        return Decision("fallback", NONE, top.score if top else 0.0)
    if top.score >= th.answer and ranking.margin >= th.margin:
        return Decision("answer", top.intent, top.score)
    close = [c.intent for c in ranking.candidates
             if c.intent != NONE and top.score - c.score <= th.margin * 2][:max_choices]
    if len(close) < 2:
        close = [c.intent for c in ranking.candidates if c.intent != NONE][:2]
    if len(close) < 2:
        return Decision("answer", top.intent, top.score) if top.score >= th.answer \
            else Decision("clarify", top.intent, top.score, (top.intent,))
    return Decision("clarify", top.intent, top.score, tuple(close))
