"""A real Telegram Bot API peer on loopback: the patched telegram-test-api emulator."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

E2E_DIR = Path(__file__).resolve().parent
SERVER_JS = E2E_DIR / "emulator" / "server.js"
NODE_MODULES = E2E_DIR / "node_modules" / "telegram-test-api"
DEFAULT_TOKEN = "123456:kefu-e2e-token"
BOT_ID = 123456

Message = dict[str, Any]
Predicate = Callable[[Message], bool]


class PeerError(RuntimeError):
    """The emulator refused a control request or could not start."""


def _any_message(_message: Message) -> bool:
    """Accept every message."""
    return True


class BotApiPeer:
    """Runs `node tests/e2e/emulator/server.js` and drives it as the Telegram users' side."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, node: str = "node") -> None:
        """Prepare (not start) a peer; `token` is what the bot under test must use."""
        self.token = token
        self.node = node
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None
        self._http: httpx.Client | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 15.0, port: int = 0) -> BotApiPeer:
        """Start the emulator on 127.0.0.1 at `port` (0: a free one) and wait for READY."""
        if not NODE_MODULES.is_dir():
            raise PeerError(f"{NODE_MODULES} is missing: run `npm ci --prefix tests/e2e` first")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self._proc = subprocess.Popen(
            [self.node, str(SERVER_JS), str(port)],
            cwd=E2E_DIR,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "NODE_ENV": "production"},
        )
        self.port = self._read_ready(timeout)
        self._http = httpx.Client(base_url=self.url, timeout=30.0)
        return self

    def _read_ready(self, timeout: float) -> int:
        """Wait for `READY <port>` on the emulator's stdout."""
        assert self._proc is not None and self._proc.stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(
            target=lambda: result.append(self._proc.stdout.readline()), daemon=True
        )
        reader.start()
        reader.join(timeout)
        line = result[0].decode().strip() if result else ""
        if not line.startswith("READY "):
            self.stop()
            raise PeerError(f"emulator did not start (got {line!r}): {self.stderr_tail()}")
        return int(line.split()[1])

    def stop(self) -> None:
        """Kill the emulator process (it keeps nothing worth flushing)."""
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None

    def stderr_tail(self, size: int = 4000) -> str:
        """The end of the emulator's stderr, for error messages."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-size:]

    def __enter__(self) -> BotApiPeer:
        """Start on entering a `with` block."""
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        """Stop on leaving a `with` block."""
        self.stop()

    # ---- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL of the emulator, e.g. http://127.0.0.1:PORT."""
        if self.port is None:
            raise PeerError("peer not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Bot API base URL in PTB's form (`ApplicationBuilder().base_url(...)`)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base URL in PTB's form (`ApplicationBuilder().base_file_url(...)`)."""
        return f"{self.url}/file/bot"

    @property
    def pid(self) -> int:
        """The emulator's process id (for CPU and memory figures)."""
        if self._proc is None:
            raise PeerError("peer not started")
        return self._proc.pid

    @property
    def bot_id(self) -> int:
        """The bot's user id as getMe reports it (the numeric prefix of the token)."""
        head = self.token.split(":", 1)[0]
        return int(head) if head.isdigit() and int(head) > 0 else 666

    # ---- raw control access ----------------------------------------------------------------

    def _control(self, verb: str, route: str, **kwargs: Any) -> Any:
        """Call a /_test/ route and return its JSON, raising PeerError on refusal."""
        if self._http is None:
            raise PeerError("peer not started")
        response = self._http.request(verb, f"/_test/{route}", **kwargs)
        if response.status_code != 200:
            raise PeerError(f"{verb} /_test/{route}: {response.status_code} {response.text}")
        return response.json()

    def reset(self) -> None:
        """Forget all messages, chats, members, topics, files, faults and call logs."""
        self._control("POST", "reset")

    # ---- the users' side -------------------------------------------------------------------

    def send_text(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        first_name: str = "Buyer",
        username: str | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Message:
        """Deliver a user's text message to the bot; returns the Message (with `message_id`).

        `chat_type` defaults to private for positive chat ids and supergroup for negative ones.
        Texts starting with "/" get a bot_command entity, like a real client sends.
        `reply_to` (a message id in the chat) nests that message as `reply_to_message` and puts
        the reply in its thread: the forum topic, or in a supergroup without topics the reply
        chain's root (`message_thread_id` without `is_topic_message`), as Telegram does.
        """
        body = self._user_text_body(
            user_id,
            chat_id,
            text,
            first_name=first_name,
            username=username,
            chat_type=chat_type,
            chat_title=chat_title,
            thread_id=thread_id,
            reply_to=reply_to,
        )
        return self._control("POST", "userMessage", json=body)["message"]

    def _user_text_body(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        first_name: str = "Buyer",
        username: str | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """The /_test/userMessage body for a text message."""
        return {
            "replyToMessageId": reply_to,
            "token": self.token,
            "userId": user_id,
            "chatId": chat_id,
            "text": text,
            "firstName": first_name,
            "username": username,
            "chatType": chat_type,
            "chatTitle": chat_title,
            "threadId": thread_id,
        }

    def ask(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        timeout: float = 5.0,
        **send_options: Any,
    ) -> list[Message]:
        """Send a text and return the bot's first messages in that chat after it.

        Returns as soon as at least one bot message follows (a burst sent together may come
        back whole); raises TimeoutError if none arrives in `timeout` seconds. Options as
        for `send_text`. Inside an in-process bot's event loop use `ask_async`.
        """
        body = self._user_text_body(user_id, chat_id, text, **send_options)
        body["awaitReply"] = timeout
        answer = self._control("POST", "userMessage", json=body, timeout=timeout + 10)
        if not answer["replies"]:
            raise TimeoutError(f"no bot reply to {text!r} in chat {chat_id} within {timeout}s")
        return answer["replies"]

    async def ask_async(
        self, user_id: int, chat_id: int, text: str, *, timeout: float = 5.0, **options: Any
    ) -> list[Message]:
        """`ask` in a worker thread, safe inside the bot's event loop."""
        return await asyncio.to_thread(
            self.ask, user_id, chat_id, text, timeout=timeout, **options
        )

    def send_file(
        self,
        user_id: int,
        chat_id: int,
        data: bytes,
        *,
        kind: str = "photo",
        filename: str = "screenshot.jpg",
        caption: str | None = None,
        first_name: str = "Buyer",
        chat_type: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Message:
        """Deliver a user's photo (kind="photo") or document (kind="document") to the bot."""
        file = self.upload_file(data, kind=kind, filename=filename)
        body = {
            "replyToMessageId": reply_to,
            "token": self.token,
            "userId": user_id,
            "chatId": chat_id,
            "caption": caption,
            "firstName": first_name,
            "chatType": chat_type,
            "threadId": thread_id,
            "fileId": file["file_id"],
            "fileKind": kind,
        }
        return self._control("POST", "userMessage", json=body)["message"]

    def upload_file(
        self, data: bytes, *, kind: str = "photo", filename: str = "file.bin"
    ) -> dict[str, Any]:
        """Store bytes in the emulator; returns {file_id, file_unique_id, file_size, ...}."""
        body = {"base64": base64.b64encode(data).decode(), "kind": kind, "name": filename}
        return self._control("POST", "files", json=body)

    def press_button(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        check: bool = True,
        first_name: str = "Buyer",
    ) -> str:
        """Press an inline button of a bot message; returns the callback_query id.

        With `check`, the message must currently carry a button with that callback_data.
        """
        body = {
            "token": self.token,
            "userId": user_id,
            "chatId": chat_id,
            "messageId": message_id,
            "data": data,
            "check": check,
            "firstName": first_name,
        }
        return self._control("POST", "callback", json=body)["callback_query_id"]

    # ---- what the bot did ------------------------------------------------------------------

    def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[Message]:
        """Bot messages now in that chat (after edits/deletes), oldest first.

        Each is a Bot API Message dict plus `raw`: the parameters the bot sent (parse_mode...).
        """
        params = {"chatId": chat_id, **({"threadId": thread_id} if thread_id else {})}
        return self._control("GET", "botMessages", params=params)["messages"]

    def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        *,
        thread_id: int | None = None,
        after_message_id: int = 0,
        timeout: float = 5.0,
    ) -> Message:
        """Block until a bot message in the chat (id > after_message_id) matches `predicate`.

        Edits count: a message edited into a matching state is returned. Do not call this from
        the event loop that runs an in-process bot; use `wait_for_bot_message_async` there.
        """
        predicate = predicate or _any_message
        deadline = time.monotonic() + timeout
        version, seen = -1, []
        while True:
            remaining = deadline - time.monotonic()
            params = {
                "chatId": chat_id,
                "afterMessageId": after_message_id,
                "waitVersion": version,
                "timeout": max(remaining, 0),
            }
            if thread_id:
                params["threadId"] = thread_id
            answer = self._control("GET", "botMessages", params=params, timeout=remaining + 10)
            version, seen = answer["version"], answer["messages"]
            for message in seen:
                if message["message_id"] > after_message_id and predicate(message):
                    return message
            if remaining <= 0:
                texts = [m.get("text") or m.get("caption") for m in seen]
                raise TimeoutError(f"no matching bot message in chat {chat_id}; it has {texts}")

    async def wait_for_bot_message_async(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        *,
        thread_id: int | None = None,
        after_message_id: int = 0,
        timeout: float = 5.0,
    ) -> Message:
        """`wait_for_bot_message` in a worker thread, safe inside the bot's event loop."""
        return await asyncio.to_thread(
            self.wait_for_bot_message,
            chat_id,
            predicate,
            thread_id=thread_id,
            after_message_id=after_message_id,
            timeout=timeout,
        )

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Bot API calls the bot made: [{method, token, params, time}], optionally one method."""
        return self._control("GET", "calls", params={"method": method} if method else {})

    def call_counts(self) -> dict[str, int]:
        """Number of Bot API calls per method name since start/reset."""
        return self._control("GET", "stats")

    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """answerCallbackQuery parameters by callback_query id."""
        return self._control("GET", "callbackAnswers")

    def my_commands(self) -> list[dict[str, Any]]:
        """Command lists set by setMyCommands: [{key: "<scope json>|<lang>", commands}]."""
        return self._control("GET", "commands")

    def topics(self, chat_id: int) -> list[dict[str, Any]]:
        """Forum topics of a chat: [{message_thread_id, name, icon_color, is_closed}]."""
        return self._control("GET", "topics", params={"chatId": chat_id})

    def webhook(self) -> dict[str, Any]:
        """The bot's webhook: {url, deliveries: [{update_id, status, attempts, error?}]}."""
        return self._control("GET", "webhook", params={"token": self.token})

    # ---- the world's state -----------------------------------------------------------------

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A member (an admin) deletes a message in the app."""
        self._control("POST", "deleteMessage", json={"chatId": chat_id, "messageId": message_id})

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A member deletes a forum topic: it and all its messages are gone."""
        self._control("POST", "deleteTopic", json={"chatId": chat_id, "threadId": thread_id})

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Set getChatMember's answer: creator|administrator|member|restricted|left|kicked.

        Unknown users are `left`; the bot itself is `administrator` unless set otherwise.
        """
        body = {"chatId": chat_id, "userId": user_id, "status": status}
        self._control("POST", "setChatMember", json=body)

    def set_forum(self, chat_id: int, is_forum: bool = True, title: str | None = None) -> None:
        """Make the chat a supergroup with topics (or not) for getChat/createForumTopic."""
        body = {"chatId": chat_id, "isForum": is_forum, "title": title}
        self._control("POST", "setChat", json=body)

    def set_chat(self, chat_id: int, *, chat_type: str, title: str | None = None) -> None:
        """Declare a chat's type (private|group|supergroup|channel) and title."""
        body = {"chatId": chat_id, "type": chat_type, "title": title}
        self._control("POST", "setChat", json=body)

    def inject_fault(
        self,
        method: str,
        *,
        status: int = 0,
        retry_after: int | None = None,
        count: int = 1,
        delay_ms: int = 0,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next `count` calls of `method` ("*" = any; count -1 = forever) misbehave.

        `delay_ms` hangs before answering; `status` then answers that HTTP error instead:
        429 carries parameters.retry_after (RetryAfter in PTB), 502 is nginx HTML, 403 "bot was
        blocked by the user", others a JSON error. `chat_id` limits it to calls for that chat.
        """
        body = {
            "method": method,
            "status": status,
            "retry_after": retry_after,
            "count": count,
            "delay_ms": delay_ms,
            "chat_id": chat_id,
            "description": description,
        }
        self._control("POST", "faults", json=body)

    def clear_faults(self) -> None:
        """Drop all pending faults."""
        self._control("DELETE", "faults")
