"""The outbox on a real SQLite file (bot/db/outbox.py): order, delivery notes."""

from __future__ import annotations

from bot.db import Store
from bot.records import Outgoing
from tests.fixtures_db import NOW


def test_outbox_keeps_order_and_forgets_delivered(store: Store) -> None:
    with store.transaction():
        ids = [store.outbox.enqueue(Outgoing("user", f"m{i}", user_id=7), NOW) for i in range(3)]
        store.outbox.enqueue(Outgoing("staff", "card", ticket_id=1, kind="card"), NOW)
    assert [o.text for o in store.outbox.pending("user", 7)] == ["m0", "m1", "m2"]
    store.outbox.mark_delivered(ids[0], NOW)
    store.outbox.mark_failed(ids[1], "timeout")
    assert [o.text for o in store.outbox.pending()] == ["m1", "m2", "card"]
    # Sent together as one message: noted together, and what waits next read in the same call.
    assert store.outbox.delivered_then_pending(ids[1:], NOW, ("user", 7)) == []
    assert [o.text for o in store.outbox.pending()] == ["card"]
    assert [o.at for o in store.outbox.pending()] == [NOW]
