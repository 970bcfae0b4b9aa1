"""A store on a fresh SQLite file, for the tests of bot/db (test_db_*.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Store, open_store

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty, migrated database in a temporary directory."""
    return open_store(tmp_path / "kefu.db")


def new_ticket(store: Store, user_id: int = 1) -> int:
    """Open a ticket the way the core does (in a transaction); its id."""
    with store.transaction():
        return store.tickets.create({"user_id": user_id, "intent": "card_invalid",
                                     "title": "卡密无效", "tier": "A"}, NOW).id
