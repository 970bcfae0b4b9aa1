"""Several problems in one message: say what was understood, answer the FAQ parts, and
take the parts that need a person to one ticket (the first such problem's intake).

`Understanding.also` names up to two more intents the matcher found in their own
clauses. flow.route asks `plan` what to do: the first problem that needs a person is
handled as usual (lookup, intake, ticket), the others ride on its ticket
(`details["also"]`, shown on the card), and FAQ questions are answered in the same reply
(`dress`). Pure: no store, no calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import matter_replies as mr
from bot.intent_kinds import SMALL_TALK, informational
from bot.records import Conversation, Outgoing
from intents.faq import Intent
from intents.understand import Understanding

MAX_PROBLEMS = 3


@dataclass(frozen=True)
class Plan:
    """What a message with several problems gets: the head, FAQ answers, who goes first."""

    head: str  # "你说了两件事: 1. … 2. …" and the FAQ parts' answers
    first: Intent | None  # the problem handled now (intake, lookup); None: all were FAQ
    rest: tuple[Intent, ...]  # further problems, noted on the first one's ticket


def problems_in(u: Understanding, intent_of: Callable[[str], Intent | None]) -> list[Intent]:
    """The intents of a message, the primary first, at most MAX_PROBLEMS, no small talk."""
    ids = [u.decision.intent, *getattr(u, "also", ())]
    found = [i for i in dict.fromkeys(ids) if i not in SMALL_TALK]
    return [intent for i in found[:MAX_PROBLEMS] if (intent := intent_of(i)) is not None]


def plan(u: Understanding, intent_of: Callable[[str], Intent | None],
         fill: Callable[[str], str]) -> Plan | None:
    """The plan for a message with several problems; None when it holds only one."""
    intents = problems_in(u, intent_of)
    if len(intents) < 2:
        return None
    info = [i for i in intents if informational(i)]
    persons = [i for i in intents if not informational(i)]
    said = [mr.several([i.label for i in intents])]
    said += [mr.about(i.label, fill(i.answer)) for i in info if i.answer]
    return Plan("\n".join(said), persons[0] if persons else None, tuple(persons[1:]))


def dress(p: Plan, after: Conversation, outs: list[Outgoing]) -> list[Outgoing]:
    """The first problem's reply with the head before it and, when no ticket took the
    other problems, how to raise them next."""
    if p.rest and after.ticket_id is None and after.step != "intake":
        outs = _edit(outs, -1, lambda text: "\n".join([text, *(mr.later(i.label)
                                                                 for i in p.rest)]))
    return _edit(outs, 0, lambda text: f"{p.head}\n{text}")


def _edit(outs: list[Outgoing], which: int, change: Callable[[str], str]) -> list[Outgoing]:
    """Change the first (0) or last (-1) buyer message's text."""
    mine = [n for n, o in enumerate(outs) if o.audience == "user"]
    if not mine:
        return outs
    n = mine[which]
    return [*outs[:n], replace(outs[n], text=change(outs[n].text)), *outs[n + 1:]]
