"""Deliver the outbox to Telegram: buyers' private chats and the staff group's threads.

A message is marked delivered only after Telegram accepted it; a failure
leaves it (and the later messages of the same chat, to keep order) until the
chat's back-off ends, so nothing is lost and order holds per chat. Each chat
drains in its own task, so a chat whose requests hang holds up no other.
Delivery is at least once: a request with no answer is sent again (see
telegram_app.READ_TIMEOUT).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.cards import topic_title
from bot.outbox import CAPTION_LIMIT, TEXT_LIMIT, utf16_units
from bot.records import Choice, Outgoing
from bot.store import unwritable
from bot.tickets import staff_card
from handlers.telegram_runtime import Runtime

logger = logging.getLogger(__name__)
IDLE_SECONDS = 2.0  # also picks up what other processes (a console agent) queued
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0  # seconds before a chat whose send failed is retried
# Chats sent to at once, per audience, so a staff group waiting for its 20 messages a
# minute never takes buyers' places. Buyers: enough to cover Telegram's round trip at its
# 30 messages a second (the rate limiter keeps that), and a burst of buyers on a fast link:
# with 8, replies queued for a slot and kefu ran at 0.7 of its speed with 16-32 (bench_e2e).
PARALLEL_CHATS = {"user": 32, "staff": 8}
JOIN = "\n\n"  # between texts sent as one message


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


def refused_for_good(out: Outgoing, exc: TelegramError) -> bool:
    """Telegram will never take this message: the bot was blocked or removed (Forbidden),
    or a buyer's chat refuses it (BadRequest: chat not found, user deactivated...). A
    staff thread's BadRequest is not final: a lost topic is rebuilt, a wrong group fixed."""
    return isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and out.audience == "user")


def chat_key(out: Outgoing) -> str:
    """Order is kept within this key: one buyer, or one ticket's staff thread."""
    return f"user:{out.user_id}" if out.audience == "user" else f"staff:{out.ticket_id}"


@dataclass
class Sender:
    """Finds chats with undelivered messages (when woken, and every couple of seconds) and
    drains each in its own task."""

    runtime: Runtime
    bot: ExtBot
    chats: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    backoff: dict[str, tuple[int, float]] = field(default_factory=dict)  # failures, retry at
    # Sent, but the database refused to note it: never sent again, noted when it can be.
    unnoted: dict[str, set[int]] = field(default_factory=dict)
    recheck: set[str] = field(default_factory=set)  # chats that got mail while draining
    slots: dict[str, asyncio.Semaphore] = field(default_factory=lambda: {
        audience: asyncio.Semaphore(n) for audience, n in PARALLEL_CHATS.items()})

    async def run(self) -> None:
        """Loop until cancelled."""
        self.runtime.post = self.post
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.runtime.wake.wait(), IDLE_SECONDS)
                self.runtime.wake.clear()
                try:
                    await self.flush()
                except Exception:  # one bad round must not stop delivery for good
                    logger.exception("outbox round failed")
        finally:
            self.runtime.post = None
            for task in list(self.chats.values()):
                task.cancel()

    def post(self, user_id: int, waiting: list[Outgoing]) -> None:
        """Start a buyer's chat with its waiting messages, read by the turn that queued them
        (two trips to the database fewer than a flush)."""
        if waiting:
            self._open("user", user_id, waiting)

    async def flush(self) -> int:
        """Start draining every chat that has pending messages; return how many started."""
        audiences = ("user",) if self.runtime.staff_chat is None else ("user", "staff")
        store = self.runtime.kefu.store
        # Chats, not their messages: a long backlog (a staff group waiting for its limit)
        # must not hide the chats behind it. Both audiences in one trip to the database.
        lanes = await self.runtime.call(
            lambda: [(a, owner) for a in audiences for owner in store.pending_chats(a)])
        return sum(self._open(audience, owner) for audience, owner in lanes)

    def _open(self, audience: str, owner: int | None,
              waiting: list[Outgoing] | None = None) -> bool:
        """Start draining one chat unless it is backing off (its timer wakes the sender) or
        already draining (then that drain looks again); True if started."""
        key = f"{audience}:{owner}"  # as chat_key() names it
        if self.backoff.get(key, (0, 0.0))[1] > asyncio.get_running_loop().time():
            return False
        if key in self.chats:  # its drain may have read its last batch before this mail
            self.recheck.add(key)
            return False
        first = None if key in self.unnoted else waiting  # those must be noted, then read
        self.chats[key] = asyncio.create_task(self._drain(key, audience, owner, first),
                                              name=key)
        return True

    async def _drain(self, key: str, audience: str, owner: int | None,
                     first: list[Outgoing] | None = None) -> None:
        """Send one chat's messages, oldest first (`first`: as just read), until none is
        left or one fails."""
        try:
            async with self.slots[audience]:
                await self._note_unnoted(key)  # before reading: they must not go out again
                while True:
                    self.recheck.discard(key)
                    outs = first if first is not None else await self.runtime.call(
                        self.runtime.kefu.store.pending_in, audience, owner)
                    first = None
                    while outs:
                        outs = await self._batch(key, audience, owner, outs)
                    if key not in self.recheck or key in self.backoff:
                        break
        except Exception as exc:  # the database, or a bug: this chat is tried again later
            if unwritable(exc):
                logger.error("outbox %s: the database refused a write (%s); trying again later",
                             key, exc)
            else:
                logger.exception("outbox %s: delivery failed", key)
            self._back_off(key)
        finally:
            self.chats.pop(key, None)

    async def _batch(self, key: str, audience: str, owner: int | None,
                     outs: list[Outgoing]) -> list[Outgoing]:
        """Send a batch of one chat's messages; return the next batch ([] when done or failed).

        The last message's delivery is noted in the same trip to the database that reads
        the next batch: one hop fewer per message on the busiest path.
        """
        groups = coalesce(outs)
        for n, group in enumerate(groups):
            if not await self._send_one(key, joined(group)):
                return []
            last = n == len(groups) - 1
            following = await self._noted(key, group, (audience, owner) if last else None)
            if last:
                return following
        return []

    async def _note_unnoted(self, key: str) -> None:
        """Note what was sent while the database refused; raises while it still refuses."""
        store = self.runtime.kefu.store
        for out_id in sorted(self.unnoted.get(key, ())):
            await self.runtime.call(store.mark_delivered, out_id, self.runtime.kefu.now())
            self.unnoted[key].discard(out_id)
        self.unnoted.pop(key, None)

    async def _send_one(self, key: str, out: Outgoing) -> bool:
        try:
            if out.audience == "user":
                await self._to_buyer(out)
            else:
                await StaffPoster(self.runtime, self.bot).post(out)
        except RetryAfter as exc:  # the rate limiter already waited and retried: back off
            self._back_off(key, float(exc.retry_after if isinstance(exc.retry_after, int | float)
                                      else exc.retry_after.total_seconds()))
            return False
        except TelegramError as exc:
            with contextlib.suppress(sqlite3.Error):  # bookkeeping only
                await self.runtime.call(self.runtime.kefu.store.mark_failed, out.id, str(exc))
            if not refused_for_good(out, exc):
                # Timed out: Telegram may have delivered it; sending again may show it twice,
                # which is better than never.
                maybe = " (no answer: it may arrive twice)" if isinstance(exc, TimedOut) else ""
                logger.warning("outbox %s failed, will retry%s: %s", out.id, maybe, exc)
                self._back_off(key)
                return False
            # Retrying would hold this chat's later messages forever: set it aside.
            logger.error("outbox %s undeliverable, not retried (%s): %s", out.id, chat_key(out),
                         exc)
        self.backoff.pop(key, None)
        return True

    async def _noted(self, key: str, group: list[Outgoing],
                     chat: tuple[str, int | None] | None = None) -> list[Outgoing]:
        """Mark sent messages delivered (and, given their chat, read what waits there next);
        if the database refuses, remember them in memory and read nothing."""
        ids = [out.id for out in group if out.id is not None]
        try:
            return await self.runtime.call(self.runtime.kefu.store.delivered_then_pending,
                                           ids, self.runtime.kefu.now(), chat)
        except sqlite3.Error as exc:
            logger.error("outbox %s was sent but the database could not note it (%s); it will "
                         "not be sent again", ids, exc)
            self.unnoted.setdefault(key, set()).update(ids)
            return []

    def _back_off(self, key: str, at_least: float = 0.0) -> None:
        """Try this chat again later: 1 s, 2 s, 4 s... up to a minute, or when Telegram says."""
        failures = self.backoff.get(key, (0, 0.0))[0] + 1
        delay = max(min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX), at_least)
        loop = asyncio.get_running_loop()
        self.backoff[key] = (failures, loop.time() + delay)
        loop.call_later(delay, self.runtime.wake.set)

    async def _to_buyer(self, out: Outgoing) -> None:
        """Text (split if Telegram would refuse its length), or an agent's photo or file."""
        text, markup = out.text, keyboard(out.choices)
        if out.file_id and out.kind in ("photo", "document"):
            fits = utf16_units(text) <= CAPTION_LIMIT
            send = self.bot.send_photo if out.kind == "photo" else self.bot.send_document
            await send(out.user_id, out.file_id, caption=text if fits else None,
                       reply_markup=markup if fits else None)
            if fits:
                return
        pieces = split_text(text)
        for n, piece in enumerate(pieces, 1):
            last = n == len(pieces)
            await send_text(self.bot, out.user_id, piece, markup if last else None)


async def send_text(bot: ExtBot, chat_id: int | None, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """sendMessage without reading Telegram's answer into a Message (only success matters
    here): that parsing was a tenth of kefu's CPU per reply. PTB warns that send_message
    exists; build_application silences exactly that warning."""
    params: dict[str, object] = {"chat_id": chat_id, "text": text}
    if markup is not None:
        params["reply_markup"] = markup
    await bot.do_api_request("send_message", api_kwargs=params)


def coalesce(outs: list[Outgoing]) -> list[list[Outgoing]]:
    """Group a chat's waiting messages into Telegram messages: the texts one turn says to a
    buyer (an answer, then the question that follows it) go as one, so the buyer gets one
    notification and Telegram one request. Buttons only on the last of a group; a group
    stays within one message's length."""
    groups: list[list[Outgoing]] = []
    for out in outs:
        last = groups[-1] if groups else None
        if (last and _joinable(last[-1]) and _joinable(out) and not last[-1].choices
                and out.at is not None and out.at == last[-1].at
                and utf16_units(joined([*last, out]).text) <= TEXT_LIMIT):
            last.append(out)
        else:
            groups.append([out])
    return groups


def _joinable(out: Outgoing) -> bool:
    return out.audience == "user" and out.kind == "text" and not out.file_id


def joined(group: list[Outgoing]) -> Outgoing:
    """One group's messages as one: texts a blank line apart, the last one's buttons."""
    if len(group) == 1:
        return group[0]
    return replace(group[0], text=JOIN.join(out.text for out in group),
                   choices=group[-1].choices)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a long message into sendable pieces, at line breaks where possible. Telegram
    counts UTF-16 units: cut by characters, a message full of emoji was refused for good."""
    pieces = []
    while utf16_units(text) > limit:
        end = _fitting(text, limit)
        cut = text.rfind("\n", 0, end)
        cut = cut if cut > end // 2 else end
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text]


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for n, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return n
    return len(text)


def thread_gone(exc: BadRequest) -> bool:
    """The ticket's topic was deleted, or (without topics) its card: the thread must be rebuilt."""
    text = str(exc).lower()
    return "thread" in text or "topic" in text or "replied" in text


@dataclass
class StaffPoster:
    """Posts into a ticket's thread in the staff chat, (re)creating the thread as needed."""

    runtime: Runtime
    bot: ExtBot

    async def post(self, out: Outgoing) -> None:
        """Send a staff message; if its topic vanished, recreate the thread and retry once."""
        if out.ticket_id is None:  # about no ticket (a notice running late): the general topic
            await self.bot.send_message(self.runtime.staff_chat, out.text)
            return
        if out.kind == "title":
            await self._retitle(out.ticket_id, out.text)
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
        ticket = await self.runtime.call(kefu.store.ticket, ticket_id)
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
        thread = await self.runtime.call(self.runtime.kefu.store.staff_thread, ticket_id)
        if not (self.runtime.forum and thread and thread.get("thread_id")):
            return  # no topics, or none yet: a new topic takes the ticket's title as it is
        try:
            await self.bot.edit_forum_topic(self.runtime.staff_chat, thread["thread_id"],
                                            name=title)
        except BadRequest as exc:  # not modified, or the topic is gone (rebuilt when next used)
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
