"""The queue counts the ETA reads (bot/db/queue.py), on a real SQLite file."""

from __future__ import annotations

from bot.db import Store
from tests.fixtures_db import NOW


def test_waiting_ahead_counts_same_or_more_urgent_unanswered_tickets(store: Store) -> None:
    with store.transaction():
        for tier in ("S", "A", "B", "A"):
            store.tickets.create({"user_id": 1, "intent": "x", "title": "x", "tier": tier}, NOW)
        store.tickets.update(4, NOW, first_reply_at=NOW)
    assert store.queue.waiting_ahead("S") == 1
    assert store.queue.waiting_ahead("A") == 2
    assert store.queue.waiting_ahead("B") == 3
