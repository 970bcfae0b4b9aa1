"""Delivering the outbox to Telegram: the sender that delivers each chat's messages
(chats found behind a long backlog, served in parallel, refusals set aside or retried)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.kefu import Kefu
from bot.records import Outgoing
from handlers.telegram_outbox import Sender
from handlers.telegram_runtime import Runtime
from tests.fixtures_core import FakeClock
from tests.telegram_offline import STAFF_CHAT


class StuckStaffBot:
    """Buyers' messages go through; the staff group never gets its turn (out of its limit)."""

    def __init__(self) -> None:
        self.buyers: list[int] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        if chat_id < 0:
            await asyncio.Event().wait()
        self.buyers.append(chat_id)
        return SimpleNamespace(chat_id=chat_id, message_id=len(self.buyers))

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any]) -> object:
        assert endpoint == "send_message"
        return await self.send_message(**api_kwargs)


def test_a_buyer_behind_hundreds_of_waiting_staff_messages_is_still_served(kefu: Kefu) -> None:
    now = kefu.now()
    with kefu.store.transaction():
        for n in range(300):  # 30 tickets' threads, 10 messages each, all older than the buyer's
            kefu.store.outbox.enqueue(Outgoing("staff", f"买家补充 {n}", ticket_id=n % 30 + 1),
                                      now)
        kefu.store.outbox.enqueue(Outgoing("user", "你好", user_id=42), now)

    async def scenario() -> list[int]:
        bot, runtime = StuckStaffBot(), Runtime(kefu, STAFF_CHAT)
        sender = Sender(runtime, bot)  # type: ignore[arg-type]
        await sender.flush()
        buyer_chat = sender.chats["user:42"]  # found, though 300 older messages wait
        await asyncio.wait_for(buyer_chat, 10)
        for task in sender.chats.values():
            task.cancel()
        runtime.executor.shutdown()
        return bot.buyers

    assert asyncio.run(scenario()) == [42]
    assert kefu.store.outbox.pending_in("user", 42) == []
    assert kefu.store.outbox.pending_chats("staff") == list(range(1, 31))


class RecordingBot:
    """Accepts every message."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        self.sent.append((chat_id, text))
        return SimpleNamespace(chat_id=chat_id, message_id=len(self.sent))

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any]) -> object:
        assert endpoint == "send_message"
        return await self.send_message(**api_kwargs)


class HookedRuntime(Runtime):
    """Runs `after[name]` once, right after the database call `name` returns."""

    after: dict[str, Callable[[], Awaitable[None]]]

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        result = await super().call(fn, *args)
        hook = self.after.pop(getattr(fn, "__name__", ""), None)
        if hook:
            await hook()
        return result


def queue(kefu: Kefu, clock: FakeClock, *texts: str) -> list[Outgoing]:
    """Queue texts for buyer 42 (each its own turn); return what waits in the chat."""
    for text in texts:
        with kefu.store.transaction():
            kefu.store.outbox.enqueue(Outgoing("user", text, user_id=42), clock())
        clock.advance(seconds=1)
    return kefu.store.outbox.pending_in("user", 42)


def run_sender(kefu: Kefu, scenario: Callable[[Sender], Awaitable[None]]
               ) -> list[tuple[int, str]]:
    async def main() -> list[tuple[int, str]]:
        bot, runtime = RecordingBot(), HookedRuntime(kefu, None)
        runtime.after = {}
        sender = Sender(runtime, bot)  # type: ignore[arg-type]
        try:
            await scenario(sender)
            while sender.chats:
                await asyncio.gather(*list(sender.chats.values()))
        finally:
            runtime.executor.shutdown()
        return bot.sent

    return asyncio.run(main())


def test_a_turn_hands_its_messages_to_the_sender_without_a_search(
        kefu: Kefu, clock: FakeClock) -> None:
    async def scenario(sender: Sender) -> None:
        sender.post(42, queue(kefu, clock, "你好", "卡密怎么用"))
        assert not sender.runtime.wake.is_set()  # no flush needed

    assert run_sender(kefu, scenario) == [(42, "你好"), (42, "卡密怎么用")]
    assert kefu.store.outbox.pending_in("user", 42) == []


def test_mail_that_comes_while_a_chat_drains_is_sent_by_that_drain(
        kefu: Kefu, clock: FakeClock) -> None:
    async def scenario(sender: Sender) -> None:
        async def next_turn() -> None:  # the drain found nothing more, and has not ended yet
            sender.post(42, queue(kefu, clock, "退款多久到"))

        sender.runtime.after["delivered_then_pending"] = next_turn  # type: ignore[attr-defined]
        sender.post(42, queue(kefu, clock, "你好"))

    assert run_sender(kefu, scenario) == [(42, "你好"), (42, "退款多久到")]
    assert kefu.store.outbox.pending_in("user", 42) == []


def test_a_chat_backing_off_is_not_started_by_a_turn(
        kefu: Kefu, clock: FakeClock) -> None:
    async def scenario(sender: Sender) -> None:
        sender._back_off("user:42")
        sender.post(42, queue(kefu, clock, "你好"))
        assert sender.chats == {}  # its back-off timer wakes the sender later

    assert run_sender(kefu, scenario) == []
    assert [o.text for o in kefu.store.outbox.pending_in("user", 42)] == ["你好"]


class RefusingBot(RecordingBot):
    """Telegram refuses one text for good (as for a buyer whose account is gone)."""

    def __init__(self, refused: str, error: TelegramError) -> None:
        super().__init__()
        self.refused, self.error = refused, error

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        if text == self.refused:
            raise self.error
        return await super().send_message(chat_id, text)


@pytest.mark.parametrize("error", [BadRequest("Chat not found"),
                                   Forbidden("Forbidden: bot was blocked by the user")])
def test_a_message_telegram_refuses_for_good_is_set_aside_not_retried_forever(
        kefu: Kefu, clock: FakeClock, error: TelegramError) -> None:
    bot = RefusingBot("你好", error)

    async def main() -> Sender:
        runtime = Runtime(kefu, None)
        sender = Sender(runtime, bot)  # type: ignore[arg-type]
        sender.post(42, queue(kefu, clock, "你好", "卡密怎么用"))
        while sender.chats:
            await asyncio.gather(*list(sender.chats.values()))
        runtime.executor.shutdown()
        return sender

    sender = asyncio.run(main())
    assert bot.sent == [(42, "卡密怎么用")]  # the chat goes on
    assert sender.backoff == {}
    assert kefu.store.outbox.pending_in("user", 42) == []
    refused = kefu.store.db.execute("SELECT last_error FROM outbox WHERE text = '你好'")
    assert str(error) in refused.fetchone()[0]


def test_a_staff_message_refused_is_retried_later(kefu: Kefu) -> None:
    with kefu.store.transaction():
        kefu.store.outbox.enqueue(Outgoing("staff", "notice is late"), kefu.now())
    bot = RefusingBot("notice is late", BadRequest("Chat not found"))

    async def main() -> Sender:
        runtime = Runtime(kefu, STAFF_CHAT)
        sender = Sender(runtime, bot)  # type: ignore[arg-type]
        await sender.flush()
        while sender.chats:
            await asyncio.gather(*list(sender.chats.values()))
        runtime.executor.shutdown()
        return sender

    sender = asyncio.run(main())
    assert list(sender.backoff) == ["staff:None"]  # a wrong staff group gets fixed: kept
    assert [o.text for o in kefu.store.outbox.pending_in("staff", None)] == ["notice is late"]
