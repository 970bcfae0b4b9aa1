"""The store under a database that refuses writes, in process (no Telegram)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.db import Store, open_store, unwritable


def read_only_store(path: Path) -> Store:
    """The same file, opened the way a read-only mount or file would leave it."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    return Store(Database(conn))


def test_a_read_only_database_refuses_the_write_and_the_store_stays_usable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kefu.db"
    open_store(path).db.conn.close()
    store = read_only_store(path)
    with pytest.raises(sqlite3.OperationalError) as refused, store.transaction():
        store.inbox.add(7001, {"type": "BuyerSaid", "text": "你好"}, datetime.now(UTC))
    assert unwritable(refused.value)
    assert not store.db.conn.in_transaction  # rolled back: later writes are not swallowed
    assert store.inbox.pending() == []


def test_a_bug_in_a_query_is_not_mistaken_for_an_unwritable_database(tmp_path: Path) -> None:
    store = open_store(tmp_path / "kefu.db")
    with pytest.raises(sqlite3.OperationalError) as bug:
        store.db.execute("SELECT nothing FROM nowhere")
    assert not unwritable(bug.value)
    assert not unwritable(ValueError("database is locked"))
    assert unwritable(sqlite3.OperationalError("database is locked"))
    assert unwritable(sqlite3.OperationalError("database or disk is full"))
    assert unwritable(sqlite3.OperationalError("disk I/O error"))
