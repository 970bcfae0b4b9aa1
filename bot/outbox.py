"""Queue outgoing messages durably, then hand them to whichever adapter delivers them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.records import Outgoing
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
