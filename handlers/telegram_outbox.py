"""Deliver the outbox to Telegram: buyers' private chats and the staff group's threads.

A message is marked delivered only after Telegram accepted it; a failure
leaves it (and the later messages of the same chat, to keep order) for the
next round, so nothing is lost and order holds per chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.cards import topic_title
from bot.records import Choice, Outgoing
from handlers.telegram_runtime import Runtime

logger = logging.getLogger(__name__)
ROUND_LIMIT = 200
IDLE_SECONDS = 2.0  # also picks up what other processes (a console agent) queued


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """One button a row for buyers' choices (long Chinese labels need the width)."""
    if not choices:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.data)]
                                 for c in choices])


def staff_keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """Card buttons in rows of three."""
    buttons = [InlineKeyboardButton(c.label, callback_data=c.data) for c in choices]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)]) \
        if buttons else None


def chat_key(out: Outgoing) -> str:
    """Order is kept within this key: one buyer, or one ticket's staff thread."""
    return f"user:{out.user_id}" if out.audience == "user" else f"staff:{out.ticket_id}"


@dataclass
class Sender:
    """Drains the outbox whenever woken, and every couple of seconds regardless."""

    runtime: Runtime
    bot: ExtBot

    async def run(self) -> None:
        """Loop until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.runtime.wake.wait(), IDLE_SECONDS)
            self.runtime.wake.clear()
            try:
                await self.flush()
            except Exception:  # one bad round must not stop delivery for good
                logger.exception("outbox round failed")

    async def flush(self) -> int:
        """Send every pending message once; return how many were delivered."""
        audience = None if self.runtime.staff_chat is not None else "user"
        pending = await self.runtime.call(self.runtime.kefu.store.pending, audience, None,
                                          ROUND_LIMIT)
        blocked: set[str] = set()
        sent = 0
        for out in pending:
            if chat_key(out) in blocked:
                continue
            if await self._send_one(out):
                sent += 1
            else:
                blocked.add(chat_key(out))
        return sent

    async def _send_one(self, out: Outgoing) -> bool:
        store, now = self.runtime.kefu.store, self.runtime.kefu.now()
        try:
            if out.audience == "user":
                await self.bot.send_message(out.user_id, out.text,
                                            reply_markup=keyboard(out.choices))
            else:
                await StaffPoster(self.runtime, self.bot).post(out)
        except Forbidden as exc:  # the buyer blocked the bot: retrying cannot help
            logger.warning("outbox %s undeliverable: %s", out.id, exc)
            await self.runtime.call(store.mark_delivered, out.id, now)
            return True
        except RetryAfter as exc:
            await asyncio.sleep(float(exc.retry_after if isinstance(exc.retry_after, int | float)
                                      else exc.retry_after.total_seconds()))
            return False
        except TelegramError as exc:
            logger.warning("outbox %s failed, will retry: %s", out.id, exc)
            await self.runtime.call(store.mark_failed, out.id, str(exc))
            return False
        await self.runtime.call(store.mark_delivered, out.id, now)
        return True


@dataclass
class StaffPoster:
    """Posts into a ticket's thread in the staff chat, (re)creating the thread as needed."""

    runtime: Runtime
    bot: ExtBot

    async def post(self, out: Outgoing) -> None:
        """Send a staff message; if its topic vanished, recreate the thread and retry once."""
        try:
            await self._post(out, await self._thread(out.ticket_id))
        except BadRequest as exc:
            if "thread" not in str(exc).lower() and "topic" not in str(exc).lower():
                raise
            logger.warning("staff thread of ticket %s is gone; recreating", out.ticket_id)
            await self._post(out, await self._create(out.ticket_id))

    async def _post(self, out: Outgoing, thread: dict) -> None:
        if out.kind == "card" and thread.get("card_message_id") and await self._edit(out, thread):
            return
        where = {"chat_id": self.runtime.staff_chat, "message_thread_id": thread.get("thread_id"),
                 "reply_to_message_id": None if self.runtime.forum
                 else thread.get("card_message_id")}
        if out.kind == "photo" and out.file_id:
            message = await self.bot.send_photo(photo=out.file_id, caption=out.text, **where)
        elif out.kind == "document" and out.file_id:
            message = await self.bot.send_document(document=out.file_id, caption=out.text,
                                                   **where)
        else:
            message = await self.bot.send_message(text=out.text,
                                                  reply_markup=staff_keyboard(out.choices),
                                                  **where)
        await self._remember(out.ticket_id, message, card=out.kind == "card", thread=thread)

    async def _edit(self, out: Outgoing, thread: dict) -> bool:
        try:
            await self.bot.edit_message_text(out.text, self.runtime.staff_chat,
                                             thread["card_message_id"],
                                             reply_markup=staff_keyboard(out.choices))
        except BadRequest as exc:
            # "not modified" means the card already says this; anything else: the card is
            # gone, so a fresh one is posted.
            return "not modified" in str(exc).lower()
        await self._retitle(out.ticket_id, thread)
        return True

    async def _retitle(self, ticket_id: int, thread: dict) -> None:
        if not (self.runtime.forum and thread.get("thread_id")):
            return
        ticket = await self.runtime.call(self.runtime.kefu.store.ticket, ticket_id)
        try:
            await self.bot.edit_forum_topic(self.runtime.staff_chat, thread["thread_id"],
                                            name=topic_title(ticket))
        except TelegramError as exc:
            logger.info("topic title not updated: %s", exc)

    async def _thread(self, ticket_id: int) -> dict:
        thread = await self.runtime.call(self.runtime.kefu.store.staff_thread, ticket_id)
        return thread or await self._create(ticket_id)

    async def _create(self, ticket_id: int) -> dict:
        """A new forum topic for the ticket (forum groups); plain groups use reply threads."""
        store = self.runtime.kefu.store
        thread_id = None
        if self.runtime.forum:
            ticket = await self.runtime.call(store.ticket, ticket_id)
            topic = await self.bot.create_forum_topic(self.runtime.staff_chat,
                                                      topic_title(ticket))
            thread_id = topic.message_thread_id
        await self.runtime.call(store.save_staff_thread, ticket_id, self.runtime.staff_chat,
                                thread_id, None)
        return {"thread_id": thread_id, "card_message_id": None}

    async def _remember(self, ticket_id: int, message: Message, card: bool,
                        thread: dict) -> None:
        store = self.runtime.kefu.store
        await self.runtime.call(store.remember_staff_message, message.chat_id,
                                message.message_id, ticket_id)
        if card:
            await self.runtime.call(store.save_staff_thread, ticket_id, message.chat_id,
                                    thread.get("thread_id"), message.message_id)
