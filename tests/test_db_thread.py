"""The database thread: one call at a time, urgent calls first, nothing queued is dropped."""

from __future__ import annotations

import threading

import pytest

from handlers.db_thread import NORMAL, URGENT, DbThread


def test_urgent_calls_overtake_waiting_ones_and_order_is_kept_otherwise() -> None:
    db, gate, ran = DbThread(), threading.Event(), []
    db.submit(gate.wait)  # the thread is busy: everything below waits
    futures = [db.submit_as(NORMAL, ran.append, "turn 1"), db.submit(ran.append, "turn 2"),
               db.submit_as(URGENT, ran.append, "store batch"),
               db.submit_as(NORMAL, ran.append, "turn 3")]
    gate.set()
    for future in futures:
        future.result(timeout=5)
    db.shutdown()
    assert ran == ["store batch", "turn 1", "turn 2", "turn 3"]


def test_one_call_at_a_time_on_one_thread() -> None:
    db, seen = DbThread(), set()
    futures = [db.submit(lambda: seen.add(threading.current_thread().name)) for _ in range(20)]
    for future in futures:
        future.result(timeout=5)
    db.shutdown()
    assert seen == {"kefu-db"}


def test_errors_reach_the_caller_and_the_thread_goes_on() -> None:
    db = DbThread()
    with pytest.raises(ZeroDivisionError):
        db.submit(lambda: 1 / 0).result(timeout=5)
    assert db.submit(lambda: 42).result(timeout=5) == 42
    db.shutdown()


def test_shutdown_runs_what_was_queued_then_refuses_more() -> None:
    db, gate, ran = DbThread(), threading.Event(), []
    db.submit(gate.wait)
    queued = [db.submit(ran.append, n) for n in range(3)]
    threading.Timer(0.1, gate.set).start()
    db.shutdown(wait=True)
    assert ran == [0, 1, 2] and all(f.done() for f in queued)
    with pytest.raises(RuntimeError):
        db.submit(ran.append, 4)
