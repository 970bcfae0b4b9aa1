"""Long polling that confirms an update to Telegram only once kefu has stored it.

PTB's Updater asks for the next batch, which confirms the last one, as soon as it has queued
the batch for handling. An update fetched but not yet written to the inbox is then lost if
kefu dies: a few milliseconds as a rule, seconds while the database is locked. Here every
update of a batch is processed, and the buyers' events stored (one transaction for the
batch), before the next getUpdates confirms it; their turns run meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from handlers.telegram_lifecycle import run_app
from handlers.telegram_reach import until_reached

logger = logging.getLogger(__name__)
PAUSE_MAX = 30.0  # seconds between attempts while Telegram cannot be reached


async def poll(app: Application, timeout: int, settle: Callable[[], Awaitable[None]]) -> None:
    """Fetch a batch, process every update in it, `settle` (store what it brought), then
    confirm it with the next fetch."""
    offset, pause = 0, 0.0
    while True:
        try:
            updates = await app.bot.get_updates(offset=offset, timeout=timeout,
                                                allowed_updates=Update.ALL_TYPES)
        except InvalidToken:
            raise
        except RetryAfter as exc:
            pause = float(exc.retry_after if isinstance(exc.retry_after, int | float)
                          else exc.retry_after.total_seconds())
        except TimedOut:
            pause = 0.0
        except TelegramError as exc:  # network down, 5xx, another instance polling
            pause = min(max(1.0, pause * 1.5), PAUSE_MAX)
            logger.warning("getUpdates failed (%s); trying again in %.0f s", exc, pause)
        else:
            pause = 0.0
            for update in updates:
                try:
                    await app.process_update(update)  # handler errors reach the error handler
                except Exception:  # never stall polling on one update
                    logger.exception("update %s could not be processed", update.update_id)
                offset = update.update_id + 1
            await settle()
        await asyncio.sleep(pause)


def run_polling(app: Application, timeout: int, settle: Callable[[], Awaitable[None]]) -> None:
    """Like `app.run_polling`, with `poll`; stops on SIGINT or SIGTERM."""
    asyncio.run(run_app(app, lambda: _polling(app, timeout, settle)))


async def _polling(app: Application, timeout: int, settle: Callable[[], Awaitable[None]]
                   ) -> None:
    # Telegram refuses getUpdates while a webhook is set; retried like getMe at start.
    await until_reached(app.bot.delete_webhook, "deleteWebhook")
    await poll(app, timeout, settle)
