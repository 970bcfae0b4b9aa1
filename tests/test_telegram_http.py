"""kefu's Bot API transport (aiohttp under python-telegram-bot) against a server on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut

from handlers import telegram_http as transport
from handlers.telegram_http import AiohttpRequest, make_request

TOKEN = "123:abc"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def message(chat_id: int, text: str) -> dict[str, Any]:
    return {"message_id": 7, "date": 1_700_000_000, "text": text,
            "chat": {"id": chat_id, "type": "private"}}


@asynccontextmanager
async def bot_api(handler: Handler, read_timeout: float = 5.0) -> AsyncIterator[Bot]:
    """A Bot using AiohttpRequest, talking to `handler` on a free loopback port."""
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot",
              request=AiohttpRequest(read_timeout=read_timeout, connect_timeout=2.0))
    try:
        await bot.request.initialize()  # type: ignore[attr-defined]
        yield bot
    finally:
        await bot.request.shutdown()  # type: ignore[attr-defined]
        await runner.cleanup()


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_a_message_goes_out_as_json_and_comes_back_parsed() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        seen["method"] = request.match_info["method"]
        seen["type"] = request.content_type
        seen["form"] = await request.json()
        seen["agent"] = request.headers.get("User-Agent", "")
        form = seen["form"]
        return web.json_response({"ok": True, "result": message(int(form["chat_id"]),
                                                                 form["text"])})

    async def scenario() -> Any:
        async with bot_api(handler) as bot:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("补发", callback_data="d:1")]])
            return await bot.send_message(42, "工单 #T1001 已受理", reply_markup=markup)

    sent = run(scenario())
    assert (sent.chat_id, sent.text) == (42, "工单 #T1001 已受理")
    assert (seen["method"], seen["type"]) == ("sendMessage", "application/json")
    keyboard = json.loads(seen["form"]["reply_markup"])
    assert keyboard["inline_keyboard"][0][0]["callback_data"] == "d:1"
    assert "python-telegram-bot" in seen["agent"]


def test_a_file_is_uploaded_as_multipart() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        seen.update(chat=form["chat_id"], name=upload.filename,  # type: ignore[union-attr]
                    body=upload.file.read())  # type: ignore[union-attr]
        return web.json_response({"ok": True, "result": message(42, "")})

    async def scenario() -> None:
        async with bot_api(handler) as bot:
            await bot.send_document(42, InputFile(b"order KM2024", filename="order.txt"))

    run(scenario())
    assert seen == {"chat": "42", "name": "order.txt", "body": b"order KM2024"}


def test_telegrams_errors_keep_their_meaning() -> None:
    async def handler(_: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 429, "description": "Too Many",
                                  "parameters": {"retry_after": 3}}, status=429)

    async def scenario() -> None:
        async with bot_api(handler) as bot:
            await bot.send_message(42, "hi")

    with pytest.raises(RetryAfter) as caught:
        run(scenario())
    assert "Retry in 3" in caught.value.message


def test_an_answer_that_never_comes_times_out() -> None:
    async def handler(_: web.Request) -> web.Response:
        await asyncio.sleep(3)  # well past the timeout (the server waits for it at cleanup)
        return web.json_response({"ok": True, "result": True})

    async def scenario() -> float:
        async with bot_api(handler, read_timeout=0.5) as bot:
            started = time.monotonic()
            with pytest.raises(TimedOut):
                await bot.send_message(42, "hi")
            return time.monotonic() - started

    assert run(scenario()) < 2.5


def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario() -> None:
        request = AiohttpRequest(connect_timeout=2.0)
        await request.initialize()
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        try:
            await bot.send_message(42, "hi")
        finally:
            await request.shutdown()

    with pytest.raises(NetworkError):
        run(scenario())


def test_the_config_chooses_the_client() -> None:
    assert isinstance(make_request("aiohttp", 8, 1, 1, 1, 1), AiohttpRequest)
    assert type(make_request("httpx", 8, 1, 1, 1, 1)).__name__ == "HTTPXRequest"


def test_the_proxy_the_environment_names_is_used_and_looked_up_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    lookups: list[str] = []
    real = transport.get_env_proxy_for_url
    monkeypatch.setattr(transport, "get_env_proxy_for_url",
                        lambda url: lookups.append(str(url)) or real(url))
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    me = {"id": 1, "is_bot": True, "first_name": "kefu", "username": "kefu_bot"}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append((await reader.readline()).decode().strip())  # GET http://host/... HTTP/1.1
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        body = json.dumps({"ok": True, "result": me}).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    async def main() -> None:
        proxy = await asyncio.start_server(serve, "127.0.0.1", 0)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.sockets[0].getsockname()[1]}")
        bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=AiohttpRequest())
        async with bot:  # getMe once to start, and once more
            assert (await bot.get_me()).username == "kefu_bot"
        proxy.close()

    asyncio.run(main())
    assert len(seen) == 2
    assert all(line.startswith("POST http://api.telegram.invalid/bot123:abc/getMe")
               for line in seen)
    assert len(lookups) == 1
