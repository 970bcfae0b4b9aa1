"""Tickets on a real SQLite file (bot/db/tickets.py): numbering, claims."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.db import Store, open_store
from tests.fixtures_db import NOW, new_ticket


def test_ticket_numbers_are_never_reused(store: Store) -> None:
    first = new_ticket(store)
    store.db.execute("DELETE FROM tickets WHERE id = ?", [first])
    second = new_ticket(store)
    assert store.tickets.get(second).number == "T1002"


def test_only_one_of_two_simultaneous_claims_wins(tmp_path: Path) -> None:
    path = tmp_path / "kefu.db"
    ticket_id = new_ticket(open_store(path))
    stores = [open_store(path), open_store(path)]  # two connections, as two processes
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def claim(store: Store, agent_id: int) -> None:
        barrier.wait()
        with store.transaction():
            results.append(store.tickets.claim(ticket_id, agent_id, NOW))

    threads = [threading.Thread(target=claim, args=(s, 500 + i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert stores[0].tickets.get(ticket_id).agent_id in (500, 501)
