"""Running the Application around kefu's own update loop (polling or webhook)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import Application

from handlers.telegram_reach import until_reached


async def run_app(app: Application, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start the app (hooks, jobs), run `work` until SIGINT or SIGTERM, then stop it cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        # getMe: retried while Telegram cannot be reached, until it answers or kefu is stopped.
        if not await _until(stop, until_reached(app.initialize, "getMe")):
            return
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await _until(stop, work())
    finally:
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def _until(stop: asyncio.Event, work: Coroutine[Any, Any, None]) -> bool:
    """Run `work` until `stop` is set; what `work` raises (a rejected token) is raised.
    True when `work` finished, False when it was stopped first."""
    task, stopped = asyncio.create_task(work), asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopped):
        pending.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return not task.cancelled()
