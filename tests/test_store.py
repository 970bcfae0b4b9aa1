"""The store on a real SQLite file: schema, atomicity, numbering, outbox."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.records import Outgoing
from bot.store import Store, open_store

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "kefu.db")


def new_ticket(store: Store, user_id: int = 1) -> int:
    with store.transaction():
        return store.create_ticket({"user_id": user_id, "intent": "card_invalid",
                                    "title": "卡密无效", "tier": "A"}, NOW).id


def test_database_uses_wal_and_migrations_run_once(tmp_path: Path) -> None:
    first = open_store(tmp_path / "kefu.db")
    assert first.db.journal_mode == "wal"
    second = open_store(tmp_path / "kefu.db")  # applying again must be a no-op
    names = [r["name"] for r in second.db.query("SELECT name FROM _sqlite_migrations")]
    assert names[:4] == ["m001_core", "m002_staff_threads", "m003_outbox_files",
                         "m004_seen_events"]


def test_a_decision_lands_on_the_buyers_latest_message_only(store: Store) -> None:
    with store.transaction():
        store.record_message(1, "in", "buyer", "卡密怎么用", NOW)
        store.record_message(2, "in", "buyer", "退款", NOW)  # another buyer, same moment
        store.record_message(1, "out", "bot", "兑换码在...", NOW)
        store.record_message(1, "in", "buyer", "讲个笑话", NOW)
        store.record_decision(1, "fallback", "none")
    rows = store.db.query("SELECT user_id, text, decision, intent FROM messages ORDER BY id")
    assert [(r["text"], r["decision"], r["intent"]) for r in rows] == [
        ("卡密怎么用", None, None), ("退款", None, None), ("兑换码在...", None, None),
        ("讲个笑话", "fallback", "none")]


def synchronous(store: Store) -> int:
    return int(store.db.execute("PRAGMA synchronous").fetchone()[0])


def test_what_kefu_received_is_synced_the_rest_waits_for_the_next_sync(store: Store) -> None:
    normal, full = 1, 2
    assert synchronous(store) == normal  # replies and delivery notes: no fsync of their own
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    with store.transaction(durable=True):
        assert synchronous(store) == full
        store.inbox_add(1, {"type": "BuyerSaid", "text": "你好"}, NOW)
    assert seen.index("PRAGMA synchronous = FULL") < seen.index("COMMIT")
    assert synchronous(store) == normal
    with pytest.raises(RuntimeError), store.transaction(durable=True):
        raise RuntimeError("a failed receipt leaves the setting as it was")
    assert synchronous(store) == normal
    with store.transaction(), store.transaction(durable=True):  # the outer one decides
        assert synchronous(store) == normal


def test_ticket_numbers_are_never_reused(store: Store) -> None:
    first = new_ticket(store)
    store.db.execute("DELETE FROM tickets WHERE id = ?", [first])
    second = new_ticket(store)
    assert store.ticket(second).number == "T1002"


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.create_ticket({"user_id": 1, "intent": "x", "title": "x", "tier": "B"}, NOW)
        store.enqueue(Outgoing("user", "hi", user_id=1), NOW)
        raise RuntimeError("crash mid-change")
    assert store.db["tickets"].count == 0
    assert store.db["outbox"].count == 0


def test_only_one_of_two_simultaneous_claims_wins(tmp_path: Path) -> None:
    path = tmp_path / "kefu.db"
    ticket_id = new_ticket(open_store(path))
    stores = [open_store(path), open_store(path)]  # two connections, as two processes
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def claim(store: Store, agent_id: int) -> None:
        barrier.wait()
        with store.transaction():
            results.append(store.claim(ticket_id, agent_id, NOW))

    threads = [threading.Thread(target=claim, args=(s, 500 + i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert stores[0].ticket(ticket_id).agent_id in (500, 501)


def test_outbox_keeps_order_and_forgets_delivered(store: Store) -> None:
    with store.transaction():
        ids = [store.enqueue(Outgoing("user", f"m{i}", user_id=7), NOW) for i in range(3)]
        store.enqueue(Outgoing("staff", "card", ticket_id=1, kind="card"), NOW)
    assert [o.text for o in store.pending("user", 7)] == ["m0", "m1", "m2"]
    store.mark_delivered(ids[0], NOW)
    store.mark_failed(ids[1], "timeout")
    assert [o.text for o in store.pending()] == ["m1", "m2", "card"]
    # Sent together as one message: noted together, and what waits next read in the same call.
    assert store.delivered_then_pending(ids[1:], NOW, ("user", 7)) == []
    assert [o.text for o in store.pending()] == ["card"]
    assert [o.at for o in store.pending()] == [NOW]


def test_waiting_ahead_counts_same_or_more_urgent_unanswered_tickets(store: Store) -> None:
    with store.transaction():
        for tier in ("S", "A", "B", "A"):
            store.create_ticket({"user_id": 1, "intent": "x", "title": "x", "tier": tier}, NOW)
        store.update_ticket(4, NOW, first_reply_at=NOW)
    assert store.waiting_ahead("S") == 1
    assert store.waiting_ahead("A") == 2
    assert store.waiting_ahead("B") == 3
