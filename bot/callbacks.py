"""Button (callback) data: one frozen dataclass per kind of button, and the one codec for them.

On the wire a button is its kind, then its fields after colons: "status", "pick:card_usage",
"rate:12:5". Buttons stay on messages already sent, so a kind's wire form never changes: a
new form gets a new kind, and `decode` keeps reading the old one ("stage:12:退款" was the
refund approval before it had a kind of its own). `decode` checks shape only (a known kind,
the right number of fields, ASCII ticket ids, printable text, Telegram's 64 bytes); whether
the ticket is the presser's, the stage exists or the stars are 1-5 is for the core to judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import MISSING, Field, dataclass, fields
from typing import Any, ClassVar

from bot.events import AgentAct
from bot.records import Choice

MAX_BYTES = 64  # Telegram refuses callback_data longer than this
# ASCII digits only, no leading zero (one spelling per id); 18 digits fit SQLite's integer.
_ID = re.compile(r"[1-9][0-9]{0,17}")
_OLD_APPROVE = "退款"  # the card's 批准退款 button once sent "stage:<id>:退款"


@dataclass(frozen=True)
class Pick:
    """The intent a buyer meant, picked from a "which one?" question."""

    kind: ClassVar[str] = "pick"
    intent: str


@dataclass(frozen=True)
class Issue:
    """The kind of problem, picked when intake asks what is wrong."""

    kind: ClassVar[str] = "issue"
    intent: str


@dataclass(frozen=True)
class Demand:
    """What the buyer wants done (补发, 退款, 查询, 其他)."""

    kind: ClassVar[str] = "demand"
    demand: str


@dataclass(frozen=True)
class NoOrder:
    """The buyer has no order number (or cannot find it)."""

    kind: ClassVar[str] = "no_order"


@dataclass(frozen=True)
class Cancel:
    """Stop the question being asked; no ticket."""

    kind: ClassVar[str] = "cancel"


@dataclass(frozen=True)
class Feedback:
    """The buyer's word on an answer: yes (solved), no (a person, please), wait (a notice)."""

    kind: ClassVar[str] = "fb"
    answer: str


@dataclass(frozen=True)
class Human:
    """A person, please."""

    kind: ClassVar[str] = "human"


@dataclass(frozen=True)
class Status:
    """Show my tickets."""

    kind: ClassVar[str] = "status"


@dataclass(frozen=True)
class Edit:
    """Correct an open ticket: which field ("" asks which; "done" changes nothing)."""

    kind: ClassVar[str] = "edit"
    field: str = ""


@dataclass(frozen=True)
class Withdraw:
    """The buyer no longer needs their open ticket."""

    kind: ClassVar[str] = "withdraw"
    ticket_id: int


@dataclass(frozen=True)
class Rate:
    """Stars for a resolved ticket."""

    kind: ClassVar[str] = "rate"
    ticket_id: int
    stars: int


@dataclass(frozen=True)
class Reopen:
    """The resolved ticket's problem is back."""

    kind: ClassVar[str] = "reopen"
    ticket_id: int


@dataclass(frozen=True)
class NewIssue:
    """Not the resolved ticket's problem: a new one."""

    kind: ClassVar[str] = "newissue"


@dataclass(frozen=True)
class Supplement:
    """The message kefu asked about belongs to this open ticket (not a new matter)."""

    kind: ClassVar[str] = "supp"
    ticket_id: int


# A staff button's kind is the staff action it asks for (AgentAct.action).
@dataclass(frozen=True)
class Claim:
    """认领: the pressing agent takes the ticket."""

    kind: ClassVar[str] = "claim"
    ticket_id: int


@dataclass(frozen=True)
class SetStage:
    """核实中 / 处理中: move the ticket to a stage."""

    kind: ClassVar[str] = "stage"
    ticket_id: int
    stage: str


@dataclass(frozen=True)
class Resolve:
    """已解决."""

    kind: ClassVar[str] = "resolve"
    ticket_id: int


@dataclass(frozen=True)
class Escalate:
    """升级: raise the ticket's tier."""

    kind: ClassVar[str] = "escalate"
    ticket_id: int


@dataclass(frozen=True)
class ApproveRefund:
    """批准退款: approve the fast-path refund waiting on the ticket."""

    kind: ClassVar[str] = "approve_refund"
    ticket_id: int


BuyerCallback = (Pick | Issue | Demand | NoOrder | Cancel | Feedback | Human | Status | Edit
                 | Withdraw | Rate | Reopen | NewIssue | Supplement)
StaffCallback = Claim | SetStage | Resolve | Escalate | ApproveRefund
Callback = BuyerCallback | StaffCallback
BUYER: tuple[type[BuyerCallback], ...] = (Pick, Issue, Demand, NoOrder, Cancel, Feedback, Human,
                                          Status, Edit, Withdraw, Rate, Reopen, NewIssue,
                                          Supplement)
STAFF: tuple[type[StaffCallback], ...] = (Claim, SetStage, Resolve, Escalate, ApproveRefund)
_KINDS: dict[str, type[Callback]] = {cls.kind: cls for cls in (*BUYER, *STAFF)}
_STAFF_KINDS = frozenset(cls.kind for cls in STAFF)


def encode(cb: Callback) -> str:
    """The wire form; ValueError when it would not decode back the same or exceeds 64 bytes."""
    specs = fields(cb)
    values = [getattr(cb, f.name) for f in specs]
    while values and values[-1] == specs[len(values) - 1].default:
        values.pop()  # a trailing field left at its default is not written ("edit")
    data = ":".join([cb.kind, *map(str, values)])
    if decode(data) != cb:
        raise ValueError(f"no button data can carry {cb!r}")
    return data


def decode(data: Any) -> Callback | None:
    """The button that data stands for; None for anything kefu did not send. Never raises."""
    if not isinstance(data, str) or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    kind, colon, rest = data.partition(":")
    cls = _KINDS.get(kind)
    if cls is None:
        return None
    # The last field takes the rest: an intent id may hold a colon, as before the codec.
    parts = rest.split(":", max(len(fields(cls)) - 1, 0)) if colon else []
    cb = _build(cls, parts)
    if isinstance(cb, SetStage) and cb.stage == _OLD_APPROVE:
        return ApproveRefund(cb.ticket_id)
    return cb


def _build(cls: type[Callback], parts: list[str]) -> Callback | None:
    specs = fields(cls)
    required = sum(f.default is MISSING for f in specs)
    if not required <= len(parts) <= len(specs):
        return None
    values = [_value(f, text) for f, text in zip(specs, parts, strict=False)]
    return None if None in values else cls(*values)


def _value(spec: Field[Any], text: str) -> int | str | None:
    if spec.type in ("int", int):
        return int(text) if _ID.fullmatch(text) else None
    # isprintable() refuses control, format and separator characters (but the ASCII space).
    return text if text and text.isprintable() else None


def for_staff(data: Any) -> bool:
    """Whether data names a staff kind (valid or not): the staff side answers, or refuses, it."""
    kind, colon, _ = data.partition(":") if isinstance(data, str) else ("", "", "")
    return bool(colon) and kind in _STAFF_KINDS


def choice(label: str, cb: Callback) -> Choice:
    """A button to offer: its label and its data."""
    return Choice(label, encode(cb))


def typed_keys(choices: Sequence[Choice]) -> list[str]:
    """What a buyer types to pick each choice: a rating's star count, else its position.

    Stars are listed 5 down to 1, so "5" must mean five stars, not the fifth button; other
    choices keep their position unless a rating took that number."""
    stars = {i: str(cb.stars) for i, c in enumerate(choices)
             if isinstance(cb := decode(c.data), Rate)}
    keys, used = [], set(stars.values())
    for i in range(len(choices)):
        if i in stars:
            keys.append(stars[i])
            continue
        n = i + 1
        while str(n) in used:
            n += 1
        used.add(str(n))
        keys.append(str(n))
    return keys


def agent_act(cb: StaffCallback, agent_id: int, event_id: str | None = None) -> AgentAct:
    """The staff action a card button asks for."""
    text = cb.stage if isinstance(cb, SetStage) else ""
    return AgentAct(agent_id, cb.kind, cb.ticket_id, text, event_id=event_id)
