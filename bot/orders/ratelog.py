"""A log line per problem per minute at most: a dead shop database is said once, not per
message."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class EveryMinute:
    """Logs a warning for a key at most once a period, saying how many were held back."""

    def __init__(self, logger: logging.Logger, period: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.period = period
        self.clock = clock
        self._lock = threading.Lock()  # lookups run on several worker threads
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def warn(self, key: str, message: str) -> bool:
        """Log `message` unless `key` was logged within the period; True when logged."""
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.period:
                self._held[key] = self._held.get(key, 0) + 1
                return False
            held = self._held.pop(key, 0)
            self._last[key] = now
        more = f" ({held} more like it in the last {self.period:g} s)" if held else ""
        self.logger.warning("%s%s", message, more)
        return True
