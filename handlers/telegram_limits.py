"""Telegram's flood limits, kept by PTB's AIORateLimiter for the calls that send messages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

from bot.settings import TelegramLimits

MAX_RETRIES = 3  # a 429 (RetryAfter) is waited out and retried this often before it is raised
# Requests that post something in a chat. Reads (getChatMember, getChat), button answers and
# "typing..." cost no message, so they never wait behind the staff group's 20 a minute.
# Closing and reopening a topic post a service message in it: they count too.
SENDS = ("send", "copy", "forward", "edit", "createforumtopic", "closeforumtopic",
         "reopenforumtopic")
NOT_SENDS = frozenset({"sendchataction"})


def sends_message(endpoint: str) -> bool:
    """Whether Telegram counts this method against a chat's message limits."""
    name = endpoint.lower()
    return name.startswith(SENDS) and name not in NOT_SENDS


class SendLimiter(AIORateLimiter):
    """AIORateLimiter that throttles only message-sending calls; every call keeps the retries."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Throttle sends; let other calls through at once (without a chat, none is limited)."""
        limited = data if sends_message(endpoint) else {}
        return await super().process_request(callback, args, kwargs, endpoint, limited,
                                             rate_limit_args)


def rate_limiter(limits: TelegramLimits) -> SendLimiter:
    """The limiter for these limits (0 lifts one: a test server has none)."""
    return SendLimiter(overall_max_rate=limits.messages_per_second, overall_time_period=1,
                       group_max_rate=limits.group_messages_per_minute, group_time_period=60,
                       max_retries=MAX_RETRIES)
