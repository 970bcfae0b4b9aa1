"""What adapters hand to the core: plain events, no messenger types."""

from __future__ import annotations

from dataclasses import dataclass

# Message kinds kefu can read; anything else gets a polite "I can't read that".
READABLE = ("text", "photo", "document")


@dataclass(frozen=True)
class BuyerSaid:
    """A buyer sent a message (text, or a photo/document with an optional caption)."""

    user_id: int
    text: str = ""
    name: str = ""
    kind: str = "text"
    file_id: str | None = None
    event_id: str | None = None  # the messenger's update id: a re-delivery is ignored


@dataclass(frozen=True)
class ButtonPressed:
    """A buyer pressed a choice button (or typed its number)."""

    user_id: int
    data: str
    name: str = ""
    event_id: str | None = None


@dataclass(frozen=True)
class BuyerCommand:
    """A buyer sent /start, /help, /status, /cancel, /human or an unknown command."""

    user_id: int
    command: str
    args: str = ""
    name: str = ""
    event_id: str | None = None


@dataclass(frozen=True)
class BuyerBurst:
    """Messages that arrived together (an album, several forwards): one turn, not several."""

    events: tuple[BuyerSaid, ...]

    @property
    def user_id(self) -> int:
        """The buyer who sent them."""
        return self.events[0].user_id

    @property
    def name(self) -> str:
        """The buyer's display name."""
        return self.events[0].name

    @property
    def event_id(self) -> str | None:
        """Bursts are deduplicated message by message, not as a whole."""
        return None


BuyerEvent = BuyerSaid | ButtonPressed | BuyerCommand | BuyerBurst


@dataclass(frozen=True)
class AgentAct:
    """A staff member did something to a ticket (or to the queue)."""

    agent_id: int
    # claim | reply | note | stage | approve_refund | resolve | escalate | show, or one
    # needing no ticket: duty | queue | notice | notice_end | block | unblock
    action: str
    ticket_id: int | None = None
    text: str = ""
    name: str = ""
    event_id: str | None = None
    kind: str = "text"  # a reply may carry a "photo" or "document" (text is its caption)
    file_id: str | None = None  # the messenger's file id of that attachment
