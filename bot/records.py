"""Frozen records the store hands out and the core reasons about."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STAGES = ("受理", "核实", "处理", "反馈")
RESOLVED, CLOSED = "已解决", "已关闭"
FINAL_STAGES = (RESOLVED, CLOSED)
TIER_RANK = {"S": 0, "A": 1, "B": 2}


def ticket_number(ticket_id: int) -> str:
    """The number buyers and agents see: T1001, T1002, ..."""
    return f"T{1000 + ticket_id}"


def parse_time(value: str | None) -> datetime | None:
    """ISO text from the database back to an aware datetime."""
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Choice:
    """A button the user may press instead of typing."""

    label: str
    data: str


@dataclass(frozen=True)
class Conversation:
    """Where one buyer is in the flow, and what has been collected so far."""

    user_id: int
    step: str = "idle"
    intent: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    offered: tuple[Choice, ...] = ()
    ticket_id: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Conversation:
        """Rebuild from a conversations row."""
        offered = tuple(Choice(c["label"], c["data"]) for c in json.loads(row["offered"]))
        return cls(row["user_id"], row["step"], row["intent"], json.loads(row["details"]),
                   offered, row["ticket_id"])


@dataclass(frozen=True)
class Ticket:
    """A request handed to people."""

    id: int
    number: str
    user_id: int
    intent: str
    title: str
    tier: str
    stage: str
    owner: str
    created_at: datetime
    order_no: str | None = None
    demand: str | None = None
    demand_text: str | None = None
    amount: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    agent_id: int | None = None
    promised_at: datetime | None = None
    at_risk: bool = False
    claimed_at: datetime | None = None
    first_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    updated_at: datetime | None = None
    breached_at: datetime | None = None  # first missed SLA target
    priority: int = 0  # within the tier: 2 a threat, 1 angry or urgent (bot/urgency.py)

    @property
    def is_open(self) -> bool:
        """Not yet resolved or closed."""
        return self.stage not in FINAL_STAGES

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Ticket:
        """Rebuild from a tickets row."""
        return cls(
            id=row["id"], number=row["number"], user_id=row["user_id"], intent=row["intent"],
            title=row["title"] or row["intent"], tier=row["tier"], stage=row["stage"],
            owner=row["owner"], created_at=parse_time(row["created_at"]),  # type: ignore[arg-type]
            order_no=row["order_no"], demand=row["demand"], demand_text=row["demand_text"],
            amount=row["amount"], details=json.loads(row["details"] or "{}"),
            agent_id=row["agent_id"], promised_at=parse_time(row["promised_at"]),
            at_risk=bool(row["at_risk"]), claimed_at=parse_time(row["claimed_at"]),
            first_reply_at=parse_time(row["first_reply_at"]),
            resolved_at=parse_time(row["resolved_at"]), updated_at=parse_time(row["updated_at"]),
            breached_at=parse_time(row.get("breached_at")), priority=row.get("priority") or 0,
        )


@dataclass(frozen=True)
class Outgoing:
    """A message to deliver: to a buyer, or to staff about a ticket."""

    audience: str  # "user" | "staff"
    text: str
    user_id: int | None = None
    ticket_id: int | None = None
    kind: str = "text"  # "text" | "card" (the ticket card) | "title" (its thread's name) | "photo"
    choices: tuple[Choice, ...] = ()
    id: int | None = None
    sender: str = "bot"  # who speaks, for the transcript: bot | agent:<id>
    file_id: str | None = None  # with kind "photo" / "document": the messenger's file id
    at: datetime | None = None  # when it was queued (once it is): one turn's share one time


# What a buyer-side step returns: the conversation as it now stands, and what to send.
Turn = tuple[Conversation, list[Outgoing]]


@dataclass(frozen=True)
class AgentRecord:
    """An agent as the store knows them."""

    id: int
    name: str
    role: str
    on_duty: bool


@dataclass(frozen=True)
class Notice:
    """A channel notice staff posted: what is down, until when, and whether it has ended."""

    id: int
    channel: str
    text: str
    started_at: datetime
    until: datetime
    started_by: int | None = None
    staff_asked_at: datetime | None = None
    ended_at: datetime | None = None
