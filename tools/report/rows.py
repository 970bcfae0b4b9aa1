"""Frozen rows the report reads from the database; every time is timezone-aware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TicketRow:
    """A ticket as the report needs it (rating comes from the ticket's details)."""

    id: int
    number: str
    user_id: int
    intent: str
    tier: str
    stage: str
    created_at: datetime
    agent_id: int | None = None
    promised_at: datetime | None = None
    first_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    breached_at: datetime | None = None
    rating: int | None = None

    @property
    def handled_by_kefu(self) -> bool:
        """kefu acted itself as it opened the ticket (an automatic resend or refund): no
        agent holds it and its first reply is its opening, so nobody was waiting."""
        return self.agent_id is None and self.first_reply_at == self.created_at


@dataclass(frozen=True)
class EventRow:
    """One ticket event: who did what, when, with its data."""

    ticket_id: int
    at: datetime
    actor: str
    event: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageRow:
    """One message in or out of a buyer's chat."""

    id: int
    at: datetime
    user_id: int
    direction: str  # in | out
    kind: str  # text | button | command | photo | document
    text: str
    ticket_id: int | None = None
    # What the matcher decided on a buyer's text (answer | clarify | fallback) and its intent;
    # None for a message it did not read, and on rows older than the column.
    decision: str | None = None
    intent: str | None = None


@dataclass(frozen=True)
class OfferRow:
    """The choices (button data) a message to a buyer offered: the intents a clarify offered,
    and what the bot decided on messages older than the decision column."""

    user_id: int
    at: datetime
    choices: tuple[str, ...]


@dataclass(frozen=True)
class AgentRow:
    """An agent by id."""

    id: int
    name: str
    role: str


@dataclass(frozen=True)
class Dataset:
    """Everything one report reads: tickets opened and messages sent in [since, until)."""

    since: datetime
    until: datetime
    tickets: tuple[TicketRow, ...] = ()
    events: tuple[EventRow, ...] = ()
    messages: tuple[MessageRow, ...] = ()
    offers: tuple[OfferRow, ...] = ()
    agents: tuple[AgentRow, ...] = ()
    # When each ticket the period's messages refer to was opened (some before the period).
    opened_at: Mapping[int, datetime] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """No buyer wrote and no ticket was opened in the period."""
        return not self.tickets and not self.messages
