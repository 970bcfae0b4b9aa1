"""Load faq.yaml into frozen records.

The minimum a file needs is `intents: [{id, examples}]`, so any FAQ of that
shape can be matched and evaluated; the rest has defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

ACTIONS = ("answer", "answer_then_ticket", "ticket")
DEMANDS = ("补发", "退款", "查询", "其他")
ORDER_NO_RULES = ("required", "optional", "skip")
TIERS = ("S", "A", "B")
# An id travels in button data ("pick:<id>"), which Telegram caps at 64 bytes.
MAX_ID_BYTES = 48


class FaqError(ValueError):
    """The FAQ file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class TicketRule:
    """What a ticket opened from an intent must collect."""

    order_no: str = "required"
    demand: str = "ask"


@dataclass(frozen=True)
class Intent:
    """One FAQ intent."""

    id: str
    examples: tuple[str, ...]
    title: str = ""
    tier: str | None = None
    action: str = "answer"
    answer: str = ""
    ticket: TicketRule | None = None

    @property
    def label(self) -> str:
        """Human label for summaries: the title, else the id."""
        return self.title or self.id


@dataclass(frozen=True)
class Faq:
    """All intents, in file order."""

    intents: tuple[Intent, ...]
    by_id: dict[str, Intent] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {i.id: i for i in self.intents})

    def get(self, intent_id: str) -> Intent | None:
        """The intent with this id, or None."""
        return self.by_id.get(intent_id)


def _ticket_rule(raw: object, where: str) -> TicketRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise FaqError(f"{where}.ticket: expected a mapping")
    rule = TicketRule(str(raw.get("order_no", "required")), str(raw.get("demand", "ask")))
    if rule.order_no not in ORDER_NO_RULES:
        raise FaqError(f"{where}.ticket.order_no: {rule.order_no!r} not in {ORDER_NO_RULES}")
    if rule.demand != "ask" and rule.demand not in DEMANDS:
        raise FaqError(f"{where}.ticket.demand: {rule.demand!r} is not 'ask' or {DEMANDS}")
    return rule


def _intent(raw: object, index: int) -> Intent:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise FaqError(f"intents[{index}]: each intent needs an id")
    where = f"intent {raw['id']}"
    if len(str(raw["id"]).encode()) > MAX_ID_BYTES:
        raise FaqError(f"{where}: the id is longer than {MAX_ID_BYTES} bytes")
    examples = raw.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str | int) for e in examples):
        raise FaqError(f"{where}.examples: expected a list of strings")
    action = str(raw.get("action", "answer"))
    if action not in ACTIONS:
        raise FaqError(f"{where}.action: {action!r} not in {ACTIONS}")
    tier = raw.get("tier")
    if tier is not None and str(tier) not in TIERS:
        raise FaqError(f"{where}.tier: {tier!r} not in {TIERS}")
    return Intent(
        id=str(raw["id"]),
        examples=tuple(str(e) for e in examples),
        title=str(raw.get("title") or ""),
        tier=None if tier is None else str(tier),
        action=action,
        answer=str(raw.get("answer") or "").strip(),
        ticket=_ticket_rule(raw.get("ticket"), where),
    )


def parse_faq(data: object) -> Faq:
    """Build a Faq from parsed YAML; raises FaqError naming the bad entry."""
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        raise FaqError("the file needs a top-level 'intents:' list")
    intents = tuple(_intent(raw, i) for i, raw in enumerate(data["intents"]))
    seen: set[str] = set()
    for intent in intents:
        if intent.id in seen:
            raise FaqError(f"intent {intent.id} is defined twice")
        seen.add(intent.id)
    return Faq(intents)


def load_faq(path: Path) -> Faq:
    """Read and parse a FAQ file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FaqError(f"cannot read {path}: {exc}") from exc
    return parse_faq(data)
