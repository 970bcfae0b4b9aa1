"""Which Telegram calls wait for the flood limits: sends do, reads and button answers do not."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.settings import TelegramLimits
from handlers.telegram_limits import rate_limiter, sends_message


@pytest.mark.parametrize("endpoint", ["sendMessage", "sendPhoto", "sendDocument",
                                      "editMessageText", "editForumTopic", "createForumTopic",
                                      "copyMessage", "forwardMessage"])
def test_posting_in_a_chat_is_limited(endpoint: str) -> None:
    assert sends_message(endpoint)


@pytest.mark.parametrize("endpoint", ["getChatMember", "getChat", "answerCallbackQuery",
                                      "sendChatAction", "getUpdates", "setMyCommands",
                                      "getFile", "deleteMessage"])
def test_reading_and_answering_is_not(endpoint: str) -> None:
    assert not sends_message(endpoint)


def test_a_spent_group_budget_holds_sends_but_not_reads() -> None:
    """With one message a minute for the group, a second send waits; a member check does not."""

    async def scenario() -> tuple[float, bool]:
        limiter = rate_limiter(TelegramLimits(messages_per_second=0, group_messages_per_minute=1))
        await limiter.initialize()

        async def call() -> bool:
            return True

        group = {"chat_id": -100123}
        await limiter.process_request(call, (), {}, "sendMessage", group, None)
        started = time.monotonic()
        assert await limiter.process_request(call, (), {}, "getChatMember", group, None)
        read_wait = time.monotonic() - started
        blocked = asyncio.create_task(
            limiter.process_request(call, (), {}, "sendMessage", group, None))
        await asyncio.sleep(0.3)
        still_waiting = not blocked.done()
        blocked.cancel()
        await limiter.shutdown()
        return read_wait, still_waiting

    read_wait, still_waiting = asyncio.run(scenario())
    assert read_wait < 0.2 and still_waiting
