"""Webhook mode: Telegram POSTs each update, and kefu answers 200 only once it is stored.

PTB's own webhook server answers as soon as an update is queued, so kefu dying in the next
milliseconds lost it. Here the update is processed and what it brought stored (one
transaction for updates that arrive together, Runtime.settle) before the answer: Telegram
keeps sending an update until it gets a 200.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from handlers.telegram_lifecycle import run_app

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # bytes; an update is a few KiB
RETRY_MAX = 30.0  # seconds between setWebhook attempts while Telegram cannot be reached


def run_webhook(app: Application, settle: Callable[[], Awaitable[None]], url: str,
                listen: str, port: int) -> None:
    """Serve `url`'s path on listen:port and register it with Telegram until SIGTERM.

    The secret, fresh each start, makes the server refuse POSTs that are not Telegram's.
    """
    secret = secrets.token_urlsafe(32)
    asyncio.run(run_app(app, lambda: serve(app, settle, url, listen, port, secret)))


async def serve(app: Application, settle: Callable[[], Awaitable[None]], url: str,
                listen: str, port: int, secret: str, retry_first: float = 1.0) -> None:
    """Answer Telegram's POSTs until cancelled."""
    turn = asyncio.Lock()  # Telegram may POST several at once: process them in arrival order

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), app.bot)
        except Exception:  # not JSON, or not an update: Telegram never sends such
            return web.Response(status=400)
        async with turn:
            try:
                await app.process_update(update)  # handler errors reach the error handler
            except Exception:  # answered anyway: re-sending would fail the same way
                logger.exception("update %s could not be processed", update.update_id)
        await settle()
        return web.Response()

    server = web.Application(client_max_size=MAX_BODY)
    server.router.add_post("/" + urlsplit(url).path.lstrip("/"), receive)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, listen, port).start()
        await register(app, url, secret, retry_first)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def register(app: Application, url: str, secret: str, retry_first: float) -> None:
    """setWebhook, retried while Telegram cannot be reached (as polling retries getUpdates);
    a rejected token is raised."""
    pause = retry_first
    while True:
        try:
            await app.bot.set_webhook(url, secret_token=secret,
                                      allowed_updates=Update.ALL_TYPES)
            return
        except InvalidToken:
            raise
        except TelegramError as exc:
            logger.warning("setWebhook failed (%s); trying again in %.0f s", exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)
