"""Queue outgoing messages durably, then hand them to whichever adapter delivers them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.records import Choice, Outgoing
from bot.store import Store


def deliver(store: Store, outs: list[Outgoing], now: datetime) -> list[Outgoing]:
    """Record each message (outbox + transcript) inside the caller's transaction."""
    queued = []
    for out in outs:
        out_id = store.enqueue(out, now)
        if out.audience == "user" and out.user_id is not None:
            store.record_message(out.user_id, "out", out.sender, out.text, now, out.ticket_id)
        queued.append(replace(out, id=out_id))
    return queued


def to_buyer(user_id: int, text: str, *choices: Choice, ticket_id: int | None = None
             ) -> Outgoing:
    """A message for a buyer."""
    return Outgoing("user", text, user_id=user_id, ticket_id=ticket_id, choices=choices)


def to_staff(ticket_id: int, text: str, kind: str = "text",
             choices: tuple[Choice, ...] = ()) -> Outgoing:
    """A message for the staff thread of a ticket."""
    return Outgoing("staff", text, ticket_id=ticket_id, kind=kind, choices=choices)
