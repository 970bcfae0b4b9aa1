"""Post into the staff group: each ticket's thread (a forum topic, or the replies to its
card), its card edited in place, its topic renamed, a vanished topic or card rebuilt."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.cards import topic_title
from bot.records import Choice, Outgoing
from bot.tickets import staff_card
from handlers.telegram_runtime import Runtime

logger = logging.getLogger(__name__)


def staff_keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """Card buttons in rows of three."""
    buttons = [InlineKeyboardButton(c.label, callback_data=c.data) for c in choices]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)]) \
        if buttons else None


def thread_gone(exc: BadRequest) -> bool:
    """The ticket's topic was deleted, or (without topics) its card: the thread must be rebuilt."""
    text = str(exc).lower()
    return "thread" in text or "topic" in text or "replied" in text


@dataclass
class StaffPoster:
    """Posts into a ticket's thread in the staff chat, (re)creating the thread as needed."""

    runtime: Runtime
    bot: ExtBot
    titles: dict[int, str] = field(default_factory=dict)  # set so far (the sender's memory)

    async def post(self, out: Outgoing) -> None:
        """Send a staff message; if its topic vanished, recreate the thread and retry once."""
        if out.ticket_id is None:  # about no ticket (a notice running late): the general topic
            await self.bot.send_message(self.runtime.staff_chat, out.text)
            return
        if out.kind == "title":
            await self._retitle(out.ticket_id, out.text)
            return
        if out.kind == "topic":
            await self._open_or_close(out.ticket_id, out.text == "close")
            return
        try:
            await self._post(out, await self._thread(out.ticket_id))
        except BadRequest as exc:
            if not thread_gone(exc):
                raise
            logger.warning("staff thread of ticket %s is gone (%s); recreating", out.ticket_id,
                           exc)
            thread = await self._create(out.ticket_id)
            if out.kind != "card":  # staff must see the whole ticket before the new message
                thread = await self._post_card(out.ticket_id, thread)
            await self._post(out, thread)

    async def _post_card(self, ticket_id: int, thread: dict) -> dict:
        """Post a fresh card built from the ticket record; return the thread with it."""
        kefu = self.runtime.kefu
        ticket = await self.runtime.call(kefu.store.tickets.get, ticket_id)
        card = await self.runtime.call(staff_card, kefu, ticket, kefu.now())
        message = await self._post(card, thread)
        return {**thread, "card_message_id": message.message_id if message else None}

    async def _post(self, out: Outgoing, thread: dict) -> Message | None:
        """Send into the thread (None when an existing card was edited instead)."""
        card = out.kind == "card"
        if card and thread.get("card_message_id") and await self._edit(out, thread):
            return None
        # Without topics a ticket's thread is the replies to its card; a card starts one.
        where = {"chat_id": self.runtime.staff_chat, "message_thread_id": thread.get("thread_id"),
                 "reply_to_message_id": None if self.runtime.forum or card
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
        await self._remember(out.ticket_id, message, card=card, thread=thread)
        return message

    async def _edit(self, out: Outgoing, thread: dict) -> bool:
        try:
            await self.bot.edit_message_text(out.text, self.runtime.staff_chat,
                                             thread["card_message_id"],
                                             reply_markup=staff_keyboard(out.choices))
        except BadRequest as exc:
            # "not modified" means the card already says this; anything else: the card is
            # gone, so a fresh one is posted.
            return "not modified" in str(exc).lower()
        return True

    async def _retitle(self, ticket_id: int, title: str) -> None:
        """Rename the ticket's topic as the core decided; without one there is nothing to do."""
        thread = await self.runtime.call(self.runtime.kefu.store.staff_threads.get, ticket_id)
        if not (self.runtime.forum and thread and thread.get("thread_id")):
            return  # no topics, or none yet: a new topic takes the ticket's title as it is
        if self.titles.get(ticket_id) == title:
            return  # a rename that changes nothing still costs one of the group's messages
        try:
            await self.bot.edit_forum_topic(self.runtime.staff_chat, thread["thread_id"],
                                            name=title)
        except BadRequest as exc:  # not modified, or the topic is gone (rebuilt when next used)
            logger.info("topic title not updated: %s", exc)
        self.titles[ticket_id] = title

    async def _open_or_close(self, ticket_id: int, close: bool) -> None:
        """Close a resolved ticket's topic, reopen a reopened one's (forum groups only)."""
        thread = await self.runtime.call(self.runtime.kefu.store.staff_threads.get, ticket_id)
        if not (self.runtime.forum and thread and thread.get("thread_id")):
            return
        act = self.bot.close_forum_topic if close else self.bot.reopen_forum_topic
        try:
            await act(self.runtime.staff_chat, thread["thread_id"])
        except BadRequest as exc:  # already so, or gone: nothing to hold the thread up for
            logger.info("topic not %s: %s", "closed" if close else "reopened", exc)

    async def _thread(self, ticket_id: int) -> dict:
        thread = await self.runtime.call(self.runtime.kefu.store.staff_threads.get, ticket_id)
        return thread or await self._create(ticket_id)

    async def _create(self, ticket_id: int) -> dict:
        """A new forum topic for the ticket (forum groups); plain groups use reply threads."""
        store = self.runtime.kefu.store
        thread_id = None
        if self.runtime.forum:
            ticket = await self.runtime.call(store.tickets.get, ticket_id)
            title = topic_title(ticket)
            topic = await self.bot.create_forum_topic(self.runtime.staff_chat, title)
            thread_id = topic.message_thread_id
            self.titles[ticket_id] = title
        await self.runtime.call(store.staff_threads.save, ticket_id, self.runtime.staff_chat,
                                thread_id, None)
        return {"thread_id": thread_id, "card_message_id": None}

    async def _remember(self, ticket_id: int, message: Message, card: bool,
                        thread: dict) -> None:
        store = self.runtime.kefu.store
        await self.runtime.call(store.staff_threads.remember_message, message.chat_id,
                                message.message_id, ticket_id)
        if card:
            await self.runtime.call(store.staff_threads.save, ticket_id, message.chat_id,
                                    thread.get("thread_id"), message.message_id)
