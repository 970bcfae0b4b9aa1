"""A real PTB Application wired like `kefu run`, whose bot records requests instead of sending.

Updates are real `telegram.Update` objects pushed through `app.process_update`; the
request class answers the few Bot API methods kefu's handlers call, so nothing touches
the network and every call is kept for assertions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, RequestData

from bot.kefu import Kefu
from handlers import telegram_staff, telegram_user
from handlers.telegram_outbox import Sender
from handlers.telegram_runtime import KefuContext, Runtime, install
from handlers.telegram_staff_batch import MAX_HOLD

TOKEN = "123456:offline-token-for-tests-only-xxxxxxxx"
BOT = {"id": 123456, "is_bot": True, "first_name": "kefu", "username": "kefu_bot"}
STAFF_CHAT = -1001777


class RecordingRequest(BaseRequest):
    """Answers Bot API calls locally and keeps (method, parameters) of each."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.members: dict[int, str] = {}  # getChatMember answers; default "left"
        self._ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT
        if name == "sendMessage":
            chat = int(params["chat_id"])
            return {"message_id": next(self._ids), "date": 0, "from": BOT, "text": params["text"],
                    "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"}}
        if name == "getChatMember":
            user = int(params["user_id"])
            return {"status": self.members.get(user, "left"),
                    "user": {"id": user, "is_bot": False, "first_name": "u"}}
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of every call of one method, in order."""
        return [params for name, params in self.calls if name == method]


class Offline:
    """Builds updates and pushes them through the application, one at a time."""

    def __init__(self, app: Application, request: RecordingRequest, runtime: Runtime) -> None:
        self.app, self.request, self.runtime = app, request, runtime
        self.loop = asyncio.new_event_loop()  # one loop: the runtime's tasks live in it
        self._ids = itertools.count(1)
        # One sender for the app's life, as in `kefu run`: what it remembers (topic titles
        # set) carries from one delivery to the next.
        self.sender = Sender(runtime, app.bot)

    def push(self, kind: str, payload: dict[str, Any]) -> None:
        """Process one update of this kind (message, edited_message...) and the turns it caused."""
        data = {"update_id": next(self._ids), kind: payload}
        self.run(self._process(Update.de_json(data, self.app.bot)))

    def run(self, awaitable: Any) -> Any:
        """Run a coroutine on the harness's loop."""
        return self.loop.run_until_complete(awaitable)

    async def _process(self, update: Update) -> None:
        await self.app.initialize()
        await self.app.process_update(update)
        await self.runtime.settle()  # as polling does before confirming the update
        while self.runtime.workers:  # the buyer's turn runs in a per-buyer task
            await asyncio.gather(*list(self.runtime.workers.values()))

    def message(self, user_id: int, text: str, chat_id: int | None = None,
                chat_type: str = "private", kind: str = "message", **extra: Any) -> None:
        """A text message from a user (in their private chat unless chat_id says otherwise)."""
        chat = {"id": chat_id or user_id, "type": chat_type, "title": "群", "first_name": "u"}
        payload: dict[str, Any] = {"message_id": next(self._ids), "date": 0, "chat": chat,
                                   "from": _user(user_id), "text": text, **extra}
        if text.startswith("/"):
            word = text.split(maxsplit=1)[0] if text.split() else "/"
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(word)}]
        if kind == "edited_message":
            payload["edit_date"] = 1
        self.push(kind, payload)

    def channel_post(self, chat_id: int, text: str, kind: str = "channel_post") -> None:
        """A post in a channel: no sender user at all."""
        chat = {"id": chat_id, "type": "channel", "title": "频道"}
        self.push(kind, {"message_id": next(self._ids), "date": 0, "chat": chat, "text": text,
                         "sender_chat": chat})

    def press(self, user_id: int, data: str, chat_id: int | None = None,
              chat_type: str = "private") -> str:
        """A callback query on a bot message; returns the query id."""
        query_id = f"q{next(self._ids)}"
        chat = {"id": chat_id or user_id, "type": chat_type, "title": "群", "first_name": "u"}
        message = {"message_id": next(self._ids), "date": 0, "chat": chat, "from": BOT,
                   "text": "..."}
        self.push("callback_query", {"id": query_id, "from": _user(user_id), "data": data,
                                     "chat_instance": "ci", "message": message})
        return query_id

    def deliver(self) -> None:
        """Send what waits in the outbox through kefu's real Sender."""
        sender = self.sender

        async def drain() -> None:
            await self.app.initialize()
            await sender.flush()
            while sender.chats or sender.held:
                if sender.chats:
                    await asyncio.gather(*list(sender.chats.values()))
                    continue
                # Card edits wait a moment for the next change (telegram_staff_batch.HOLD):
                # the test's clock moves past it instead of the test sleeping.
                advance = getattr(self.runtime.kefu.clock, "advance", None)
                if advance is not None:
                    advance(seconds=MAX_HOLD.total_seconds())
                else:
                    await asyncio.sleep(0.1)
                sender.held.clear()
                await sender.flush()

        self.run(drain())

    def answer_to(self, query_id: str) -> dict[str, Any]:
        """The answerCallbackQuery call for a query."""
        return next(p for p in self.request.sent("answerCallbackQuery")
                    if p["callback_query_id"] == query_id)


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}"}


@contextmanager
def offline_app(k: Kefu, staff_chat: int | None = STAFF_CHAT) -> Iterator[Offline]:
    """kefu's handlers on an Application with a recording request (as build_application)."""
    request = RecordingRequest()
    app = (ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request)
           .context_types(ContextTypes(context=KefuContext)).build())
    runtime = Runtime(k, staff_chat, burst_window=0.0)
    install(app, runtime)
    telegram_staff.register(app, staff_chat)  # same order as build_application
    telegram_user.register(app)
    offline = Offline(app, request, runtime)
    try:
        yield offline
    finally:
        runtime.executor.shutdown(wait=True)
        offline.loop.close()
