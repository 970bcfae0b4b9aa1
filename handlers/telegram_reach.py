"""Reaching the Bot API at start: wait for it with backoff instead of giving up.

A bot started with the machine often comes up before the network (or a local Bot API
server); exiting then leaves the shop without kefu until someone restarts it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import NetworkError, RetryAfter

logger = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_WAIT, MAX_WAIT = 1.0, 60.0  # seconds: 1, 2, 4, ... 60, 60
SAY_EVERY = 60.0  # seconds between log lines while it cannot be reached


def backoff(failures: int) -> float:
    """Seconds to wait after `failures` failed attempts in a row."""
    return min(FIRST_WAIT * 2 ** max(failures - 1, 0), MAX_WAIT)


def retry_after(exc: RetryAfter) -> float:
    """Telegram's own wait, in seconds (an int or a timedelta, by PTB version)."""
    value = exc.retry_after
    return float(value if isinstance(value, int | float) else value.total_seconds())


async def until_reached(call: Callable[[], Awaitable[T]], what: str,
                        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                        clock: Callable[[], float] = time.monotonic) -> T:
    """`call()`'s result once the Bot API answers; network errors, 5xx and 429 are waited
    out, logged once a minute. A rejected token (InvalidToken) is raised at once."""
    failures, started, said = 0, clock(), float("-inf")
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            wait, reason = retry_after(exc), str(exc)
        except NetworkError as exc:  # refused, timed out, 502 from a proxy, ...
            failures += 1
            wait, reason = backoff(failures), str(exc) or type(exc).__name__
        now = clock()
        if now - said >= SAY_EVERY:
            said = now
            logger.warning("cannot reach the Telegram Bot API (%s: %s) for %.0f s; trying "
                           "again in %.0f s, and saying so once a minute", what, reason,
                           now - started, wait)
        await sleep(wait)
