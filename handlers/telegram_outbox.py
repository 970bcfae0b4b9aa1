"""Deliver the outbox to Telegram: buyers' private chats and the staff group's threads.

A message is marked delivered only after Telegram accepted it; a failure
leaves it (and the later messages of the same chat, to keep order) until the
chat's back-off ends, so nothing is lost and order holds per chat. Each chat
drains in its own task, so a chat whose requests hang holds up no other.
Delivery is at least once: a request with no answer is sent again (see
telegram_app.READ_TIMEOUT). How one message is sent lives in telegram_buyer_chats and
telegram_staff_threads; this module decides when, and notes what went.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.db import unwritable
from bot.records import Outgoing
from handlers.telegram_buyer_chats import to_buyer
from handlers.telegram_runtime import Runtime
from handlers.telegram_staff_batch import collapse, hold_for
from handlers.telegram_staff_threads import StaffPoster
from handlers.telegram_texts import coalesce, joined

logger = logging.getLogger(__name__)
IDLE_SECONDS = 2.0  # also picks up what other processes (a console agent) queued
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0  # seconds before a chat whose send failed is retried
# Chats sent to at once, per audience, so a staff group waiting for its 20 messages a
# minute never takes buyers' places. Buyers: enough to cover Telegram's round trip at its
# 30 messages a second (the rate limiter keeps that), and a burst of buyers on a fast link:
# with 8, replies queued for a slot and kefu ran at 0.7 of its speed with 16-32 (bench_e2e).
PARALLEL_CHATS = {"user": 32, "staff": 8}


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
    held: dict[str, float] = field(default_factory=dict)  # threads whose edits wait: until
    titles: dict[int, str] = field(default_factory=dict)  # topic titles set, by ticket
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
            lambda: [(a, owner) for a in audiences for owner in store.outbox.pending_chats(a)])
        return sum(self._open(audience, owner) for audience, owner in lanes)

    def _open(self, audience: str, owner: int | None,
              waiting: list[Outgoing] | None = None) -> bool:
        """Start draining one chat unless it is backing off (its timer wakes the sender) or
        already draining (then that drain looks again); True if started."""
        key = f"{audience}:{owner}"  # as chat_key() names it
        # A held thread is drained again whenever mail comes: a buyer's message ends the hold.
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
                        self.runtime.kefu.store.outbox.pending_in, audience, owner)
                    first = None
                    held = False
                    while outs and not held:
                        # Edits wait a moment for the next change, also those read right
                        # after a send (a claim a moment after the card went out).
                        held = audience == "staff" and await self._hold(key, owner, outs)
                        if not held:
                            outs = await self._batch(key, audience, owner, outs)
                    if held or key not in self.recheck or key in self.backoff:
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
        staff = audience == "staff"
        groups = collapse(outs) if staff else coalesce(outs)
        for n, group in enumerate(groups):
            if not await self._send_one(key, group[-1] if staff else joined(group)):
                return []
            last = n == len(groups) - 1
            following = await self._noted(key, group, (audience, owner) if last else None)
            if last:
                return following
        return []

    async def _hold(self, key: str, ticket_id: int | None, outs: list[Outgoing]) -> bool:
        """Let a thread's card edits wait a moment so that the next change joins them (the
        group's budget); True if they wait (a timer wakes the sender)."""
        store = self.runtime.kefu.store
        thread = await self.runtime.call(store.staff_threads.get, ticket_id) if ticket_id \
            else None
        delay = hold_for(outs, bool(thread and thread.get("card_message_id")),
                         self.runtime.kefu.now())
        if delay <= 0:
            self.held.pop(key, None)
            return False
        loop = asyncio.get_running_loop()
        self.held[key] = loop.time() + delay
        loop.call_later(delay, self.runtime.wake.set)
        return True

    async def _note_unnoted(self, key: str) -> None:
        """Note what was sent while the database refused; raises while it still refuses."""
        store = self.runtime.kefu.store
        for out_id in sorted(self.unnoted.get(key, ())):
            await self.runtime.call(store.outbox.mark_delivered, out_id, self.runtime.kefu.now())
            self.unnoted[key].discard(out_id)
        self.unnoted.pop(key, None)

    async def _send_one(self, key: str, out: Outgoing) -> bool:
        try:
            if out.audience == "user":
                await to_buyer(self.bot, out)
            else:
                await StaffPoster(self.runtime, self.bot, self.titles).post(out)
        except RetryAfter as exc:  # the rate limiter already waited and retried: back off
            self._back_off(key, float(exc.retry_after if isinstance(exc.retry_after, int | float)
                                      else exc.retry_after.total_seconds()))
            return False
        except TelegramError as exc:
            with contextlib.suppress(sqlite3.Error):  # bookkeeping only
                await self.runtime.call(self.runtime.kefu.store.outbox.mark_failed, out.id,
                                        str(exc))
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
            return await self.runtime.call(self.runtime.kefu.store.outbox.delivered_then_pending,
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
