"""`kefu faq check`: find what would make a FAQ file misbehave."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from intents.contract import CONTRACT_IDS
from intents.faq import Faq, FaqError, load_faq
from intents.match import build_matcher
from intents.normalize import load_synonyms, normalize


@dataclass(frozen=True)
class Problem:
    """One finding: an error blocks use, a warning is worth a look."""

    level: str
    message: str


def check_faq(path: Path) -> list[Problem]:
    """Every problem in a FAQ file, errors first."""
    try:
        faq = load_faq(path)
    except FaqError as exc:
        return [Problem("error", str(exc))]
    problems = _ids(faq) + _answers(faq) + _duplicates(faq) + _misassigned(faq)
    return sorted(problems, key=lambda p: p.level != "error")


def _ids(faq: Faq) -> list[Problem]:
    ids = {i.id for i in faq.intents}
    missing = [m for m in CONTRACT_IDS if m not in ids]
    found = [Problem("error", _missing(missing))] if missing else []
    found += [Problem("warning", f"intent {i} is not in the contract (docs/intents.md); "
                      "fine if it is a deliberate addition") for i in sorted(ids)
              if i not in CONTRACT_IDS]
    found += [Problem("error", f"intent {i.id} has no examples") for i in faq.intents
              if not i.examples]
    return found


def _missing(ids: list[str]) -> str:
    """One line for every missing id: a partial FAQ is one problem, not one per id."""
    if len(ids) == 1:
        return f"missing intent id: {ids[0]}"
    return (f"missing intent ids ({len(ids)} of {len(CONTRACT_IDS)}, see docs/intents.md): "
            f"{', '.join(ids)}")


def _answers(faq: Faq) -> list[Problem]:
    return [Problem("error", f"intent {i.id} has an empty answer") for i in faq.intents
            if not i.answer.strip()]


def _duplicates(faq: Faq) -> list[Problem]:
    synonyms = load_synonyms()
    owners: dict[str, set[str]] = defaultdict(set)
    for intent in faq.intents:
        for example in intent.examples:
            owners[normalize(example, synonyms)].add(intent.id)
    return [Problem("error", f"example {text!r} is listed under {sorted(ids)}")
            for text, ids in owners.items() if len(ids) > 1 and text]


def _misassigned(faq: Faq) -> list[Problem]:
    matcher = build_matcher(faq)
    found = []
    for intent in faq.intents:
        for example in intent.examples:
            top = matcher.rank(example).top
            if top is not None and top.intent != intent.id:
                found.append(Problem("warning", f"example {example!r} of {intent.id} matches "
                                     f"{top.intent} better ({top.score:.2f})"))
    return found
