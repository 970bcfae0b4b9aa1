"""The one thread that touches the database, with a fast lane.

Everything the Telegram side asks of the core runs here, one call at a time, so the core
never needs locks. Most calls wait their turn; storing what just arrived jumps the queue:
polling confirms a batch of updates only once it is stored, so while that store waited
behind a queue of buyers' turns, no new message was even fetched.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")
URGENT, NORMAL = 0, 1
_STOP = (2, 0, None, (), None)  # sorts after all work: what was queued still runs


class DbThread(Executor):
    """A single worker thread taking calls in (priority, arrival) order."""

    def __init__(self, name: str = "kefu-db") -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Any, tuple[Any, ...], Any]] = (
            queue.PriorityQueue())
        self._order = itertools.count()
        self._stopped = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Queue a call behind the others (Executor's interface, for run_in_executor)."""
        if kwargs:
            raise TypeError("DbThread.submit takes positional arguments only")
        return self.submit_as(NORMAL, fn, *args)

    def submit_as(self, priority: int, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue a call; URGENT ones run before every NORMAL one still waiting."""
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((priority, next(self._order), fn, args, future))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Run what is queued, then stop the thread."""
        with self._lock:
            if not self._stopped:
                self._stopped = True
                self._queue.put(_STOP)
        if wait and threading.current_thread() is not self._thread:
            self._thread.join()

    def _run(self) -> None:
        while True:
            _, _, fn, args, future = self._queue.get()
            if future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to the caller, as an executor does
                future.set_exception(exc)
            else:
                future.set_result(result)
