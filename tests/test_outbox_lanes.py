"""The Telegram sender: chats are found even behind a long backlog, and served in parallel."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from bot.kefu import Kefu
from bot.records import Outgoing
from handlers.telegram_outbox import Sender
from handlers.telegram_runtime import Runtime

STAFF_CHAT = -1001777


class StuckStaffBot:
    """Buyers' messages go through; the staff group never gets its turn (out of its limit)."""

    def __init__(self) -> None:
        self.buyers: list[int] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        if chat_id < 0:
            await asyncio.Event().wait()
        self.buyers.append(chat_id)
        return SimpleNamespace(chat_id=chat_id, message_id=len(self.buyers))


def test_a_buyer_behind_hundreds_of_waiting_staff_messages_is_still_served(kefu: Kefu) -> None:
    now = kefu.now()
    with kefu.store.transaction():
        for n in range(300):  # 30 tickets' threads, 10 messages each, all older than the buyer's
            kefu.store.enqueue(Outgoing("staff", f"买家补充 {n}", ticket_id=n % 30 + 1), now)
        kefu.store.enqueue(Outgoing("user", "你好", user_id=42), now)

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
    assert kefu.store.pending_in("user", 42) == []
    assert kefu.store.pending_chats("staff") == list(range(1, 31))
