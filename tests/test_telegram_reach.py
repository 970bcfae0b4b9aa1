"""`kefu run` waits for an unreachable Bot API at start: backoff, one log line a minute."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.error import InvalidToken, NetworkError, RetryAfter

from handlers.telegram_reach import backoff, until_reached


def test_backoff_doubles_up_to_a_minute() -> None:
    assert [backoff(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def run_failing(failures: list[Exception]) -> tuple[str, list[float]]:
    """until_reached over a call that raises each of `failures` once, on a fake clock."""
    now, waits = [0.0], []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "me"

    return asyncio.run(until_reached(call, "getMe", sleep, lambda: now[0])), waits


def test_an_unreachable_bot_api_is_waited_for_and_said_once_a_minute(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "handlers.telegram_reach")
    result, waits = run_failing([NetworkError("connection refused")] * 10)
    assert result == "me"
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    # failures at 0, 1, 3, 7, 15, 31, 63, 123, 183, 243 s: said at 0, 63, 123, 183, 243
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 5 and all("cannot reach the Telegram Bot API" in s for s in lines)


def test_a_429_waits_as_long_as_telegram_asks() -> None:
    assert run_failing([RetryAfter(7)])[1] == [7.0]


def test_a_rejected_token_is_not_retried() -> None:
    with pytest.raises(InvalidToken):
        run_failing([InvalidToken("Unauthorized")])
