"""kefu's webhook server: Telegram's secret, stored before answered, setWebhook retried."""

from __future__ import annotations

import asyncio
import socket
from types import SimpleNamespace
from typing import Any

import httpx
from telegram import Update
from telegram.error import NetworkError

from handlers.telegram_webhook import SECRET_HEADER, serve

SECRET = "s3cret"
UPDATE = {"update_id": 5, "message": {"message_id": 1, "date": 0, "text": "你好",
                                      "chat": {"id": 42, "type": "private"},
                                      "from": {"id": 42, "is_bot": False, "first_name": "买家"}}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeBot:
    """setWebhook fails `failures` times (Telegram unreachable), then succeeds."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    async def set_webhook(self, url: str, **_: Any) -> bool:
        self.calls += 1
        if self.calls <= self.failures:
            raise NetworkError("unreachable")
        return True


def test_updates_are_answered_once_stored_and_set_webhook_is_retried() -> None:
    events: list[str] = []
    bot = FakeBot(failures=2)

    async def process_update(update: Update) -> None:
        events.append(f"processed {update.update_id}")

    async def settle() -> None:
        await asyncio.sleep(0.05)  # the store takes a while: the answer must wait for it
        events.append("stored")

    async def scenario() -> list[int]:
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        app = SimpleNamespace(bot=bot, process_update=process_update)
        server = asyncio.create_task(serve(app, settle, url, "127.0.0.1", port,  # type: ignore[arg-type]
                                           SECRET, retry_first=0.01))
        while bot.calls < 3:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            statuses = []
            for headers in ({}, {SECRET_HEADER: "guess"}, {SECRET_HEADER: SECRET}):
                answer = await client.post(url, json=UPDATE, headers=headers)
                statuses.append(answer.status_code)
                if answer.status_code == 200:
                    events.append("answered")
            bad = await client.post(url, content=b"not json", headers={SECRET_HEADER: SECRET})
            statuses.append(bad.status_code)
        server.cancel()
        return statuses

    assert asyncio.run(scenario()) == [403, 403, 200, 400]
    assert bot.calls == 3  # two failures waited out
    assert events == ["processed 5", "stored", "answered"]
