"""Opening the database and its one transaction (bot/db/connection.py), on a real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import Store, open_store
from bot.records import Outgoing
from tests.fixtures_db import NOW


def test_database_uses_wal_and_migrations_run_once(tmp_path: Path) -> None:
    first = open_store(tmp_path / "kefu.db")
    assert first.db.journal_mode == "wal"
    second = open_store(tmp_path / "kefu.db")  # applying again must be a no-op
    names = [r["name"] for r in second.db.query("SELECT name FROM _sqlite_migrations")]
    assert names[:4] == ["m001_core", "m002_staff_threads", "m003_outbox_files",
                         "m004_seen_events"]


def synchronous(store: Store) -> int:
    return int(store.db.execute("PRAGMA synchronous").fetchone()[0])


def test_what_kefu_received_is_synced_the_rest_waits_for_the_next_sync(store: Store) -> None:
    normal, full = 1, 2
    assert synchronous(store) == normal  # replies and delivery notes: no fsync of their own
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    with store.transaction(durable=True):
        assert synchronous(store) == full
        store.inbox.add(1, {"type": "BuyerSaid", "text": "你好"}, NOW)
    assert seen.index("PRAGMA synchronous = FULL") < seen.index("COMMIT")
    assert synchronous(store) == normal
    with pytest.raises(RuntimeError), store.transaction(durable=True):
        raise RuntimeError("a failed receipt leaves the setting as it was")
    assert synchronous(store) == normal
    with store.transaction(), store.transaction(durable=True):  # the outer one decides
        assert synchronous(store) == normal


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.tickets.create({"user_id": 1, "intent": "x", "title": "x", "tier": "B"}, NOW)
        store.outbox.enqueue(Outgoing("user", "hi", user_id=1), NOW)
        raise RuntimeError("crash mid-change")
    assert store.db["tickets"].count == 0
    assert store.db["outbox"].count == 0
