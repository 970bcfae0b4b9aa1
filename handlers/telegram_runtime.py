"""What Telegram callbacks share: the core, a DB thread, the staff check, a typed context."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot import door, inbox, replies
from bot.db import unwritable
from bot.events import AgentAct, ButtonPressed, BuyerCommand, BuyerSaid
from bot.kefu import Kefu
from bot.orders.calls import Answered, Call, perform
from bot.orders.settings import MAX_SECONDS
from bot.records import Outgoing
from bot.staff import StaffResult
from handlers.db_thread import NORMAL, URGENT, DbThread

logger = logging.getLogger(__name__)
T = TypeVar("T")
Arrival = BuyerSaid | ButtonPressed | BuyerCommand  # one update's event, before any burst
STAFF_STATUSES = ("creator", "administrator", "member")
MEMBERSHIP_TTL = 300.0  # seconds a staff-membership answer is trusted
SORRY_EVERY = 30.0  # seconds: one "kefu is unwell" note a buyer, not one a message in a burst
RETRY_IN = timedelta(minutes=10)  # when a buyer is asked to write again if still unanswered
UNWRITABLE_HINT = "is the disk full, the file read-only, or locked by another program?"
# A call to the shop ends within MAX_SECONDS by itself (bot/orders/http.py); this is the
# adapter's own bound on top, in case a backend forgets its deadline.
CALL_DEADLINE = MAX_SECONDS + 1.0
# Shop calls in flight at once. They wait on the network, not the CPU: with 8, fifty buyers
# asking a shop that takes 2 s queued for up to 5 s (benchmarks/bench_e2e.py kefu-slowshop).
SHOP_CALLS = 32
LOOKING_UP_AFTER = 1.0  # seconds of a shop call before the buyer is told it is under way


@dataclass
class Runtime:
    """One kefu on Telegram: core access is serialised on a single DB thread; what polling
    waits for goes first."""

    kefu: Kefu
    staff_chat: int | None
    forum: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    executor: DbThread = field(default_factory=DbThread)
    members: dict[int, tuple[bool, float]] = field(default_factory=dict)
    # An album's photos arrive as separate updates within a second: wait this long for
    # the rest before handling it, so the whole album is one turn.
    burst_window: float = 1.0
    workers: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)
    hold: dict[int, float] = field(default_factory=dict)
    bot: ExtBot | None = None  # set once connected: says sorry when the database cannot
    sorry: dict[int, float] = field(default_factory=dict)  # buyer -> when last told "not stored"
    delayed: set[int] = field(default_factory=set)  # told their stored messages must wait
    # Set by the sender: starts a buyer's chat with its waiting messages, already read.
    post: Callable[[int, list[Outgoing]], None] | None = None
    arrivals: list[tuple[Arrival, bool]] = field(default_factory=list)  # not yet stored
    storer: asyncio.Task[None] | None = None  # writing `arrivals` to the inbox
    # Calls to the shop wait here, never on the DB thread: a slow shop holds only its buyer.
    callers: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(SHOP_CALLS, thread_name_prefix="shop"))

    async def call(self, fn: Callable[..., T], *args: Any, urgent: bool = False) -> T:
        """Run a blocking core/store function on the DB thread; `urgent`: before the calls
        already waiting (what polling waits for before it fetches more updates)."""
        return await asyncio.wrap_future(
            self.executor.submit_as(URGENT if urgent else NORMAL, fn, *args))

    async def buyer(self, event: Arrival, gather: bool = False) -> None:
        """Take a buyer event: it is stored together with whatever else arrived meanwhile
        (see `settle`), then handled by the buyer's worker in turn. `gather` (an album
        item, a forward) waits `burst_window` for the rest."""
        self.arrivals.append((event, gather))
        if self.storer is None or self.storer.done():
            self.storer = asyncio.create_task(self._store_arrivals(), name="inbox")

    async def settle(self) -> None:
        """Return once every event taken so far is stored (or its buyer told it was not):
        polling confirms a batch of updates to Telegram only after this."""
        while self.storer is not None and not self.storer.done():
            await asyncio.wait({self.storer})  # a cancelled caller must not cancel the store

    async def _store_arrivals(self) -> None:
        # Group commit: what arrived while the last batch was written goes in the next one.
        while self.arrivals:
            batch, self.arrivals = self.arrivals, []
            for event, gather in await self._store(batch):
                self.schedule(event.user_id, gather)

    async def _store(self, batch: list[tuple[Arrival, bool]]) -> list[tuple[Arrival, bool]]:
        """Store the batch in one transaction, else event by event; return what was stored."""
        try:
            await self._store_now(batch)
            return batch
        except Exception as exc:  # disk full, read-only, locked; or one event it can't keep
            if len(batch) == 1 or unwritable(exc):
                # The database refuses every write: one attempt per event would only wait
                # out the busy timeout once per event before saying the same.
                for user_id in dict.fromkeys(event.user_id for event, _ in batch):
                    await self._not_stored(user_id, exc)
                return []
        # One event the database cannot keep (a lone surrogate in a text, say) must not
        # cost every other buyer of the batch their message.
        stored = []
        for item in batch:
            try:
                await self._store_now([item])
                stored.append(item)
            except Exception as exc:
                await self._not_stored(item[0].user_id, exc)
        return stored

    async def _store_now(self, batch: list[tuple[Arrival, bool]]) -> None:
        arrived = door.Arrived(tuple(event for event, _ in batch))
        await self.call(door.enter, self.kefu, arrived, urgent=True)

    async def _not_stored(self, user_id: int, exc: Exception) -> None:
        if not isinstance(exc, sqlite3.Error):
            logger.error("buyer %s's message was not stored", user_id, exc_info=exc)
        else:
            logger.error("DATABASE UNWRITABLE (%s; %s): buyer %s's message was not stored; "
                         "they are asked to send it again", exc, UNWRITABLE_HINT, user_id)
        now = time.monotonic()
        self.sorry = {u: t for u, t in self.sorry.items() if now - t < SORRY_EVERY}
        if user_id not in self.sorry:
            self.sorry[user_id] = now
            await self.say_sorry(user_id, replies.store_down)

    def schedule(self, user_id: int, gather: bool = False) -> None:
        """Make sure a worker will handle what waits for this buyer."""
        self.dirty.add(user_id)
        if gather:  # each album item pushes the turn back a little, until the last arrives
            self.hold[user_id] = asyncio.get_running_loop().time() + self.burst_window
        task = self.workers.get(user_id)
        if task is None or task.done():
            self.workers[user_id] = asyncio.create_task(self._work(user_id))

    async def _work(self, user_id: int) -> None:
        # One worker per buyer keeps their events in order; different buyers interleave.
        loop = asyncio.get_running_loop()
        while user_id in self.dirty:
            while (wait := self.hold.get(user_id, 0.0) - loop.time()) > 0:
                await asyncio.sleep(wait)
            self.hold.pop(user_id, None)
            self.dirty.discard(user_id)
            try:
                await self.enter(door.TurnDue(user_id))
            except Exception as exc:  # the database is unwell: the events wait for the next sweep
                await self._turn_failed(user_id, exc)
                break
            self.delayed.discard(user_id)
        self.workers.pop(user_id, None)

    def _round(self, arrival: door.Arrival, answered: list[Answered]
               ) -> tuple[door.Effects, list[Outgoing]]:
        """On the DB thread: enter the core once; after a buyer's turn that queued replies,
        also read what now waits in their chat (the same trip, for `post`)."""
        effects = door.enter(self.kefu, arrival, answered)
        if isinstance(arrival, door.TurnDue) and any(o.audience == "user"
                                                     for o in effects.messages):
            return effects, self.kefu.store.outbox.pending_in("user", arrival.user_id)
        return effects, []

    async def perform(self, calls: tuple[Call, ...]) -> list[Answered]:
        """Make the shop calls a turn asked for, together, each within CALL_DEADLINE."""
        return list(await asyncio.gather(*(self._perform(call) for call in calls)))

    async def _perform(self, call: Call) -> Answered:
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self.callers, perform, self.kefu, call)
        try:
            return await asyncio.wait_for(work, CALL_DEADLINE)
        except TimeoutError:
            return Answered(call, error=f"no answer within {CALL_DEADLINE:g} s")

    async def enter(self, arrival: door.Arrival, urgent: bool = False) -> door.Effects:
        """Hand an arrival to the core on the DB thread, making the calls it asks for in
        between (door.run's loop, with awaits); start or wake the sender for what it queued.
        A turn still asking after MAX_ROUNDS stays in the inbox for the sweep."""
        answered: list[Answered] = []
        messages: list[Outgoing] = []
        for _ in range(door.MAX_ROUNDS):
            effects, waiting = await self.call(self._round, arrival, answered, urgent=urgent)
            messages += effects.messages
            posted = False
            if waiting and self.post is not None and isinstance(arrival, door.TurnDue):
                self.post(arrival.user_id, waiting)
                posted = True
            if any(o.audience == "staff" or not posted for o in effects.messages):
                self.wake.set()  # the sender looks for what waits
            if not effects.calls:
                return door.Effects(tuple(messages), staff=effects.staff)
            answered += await self._looking_up(arrival, self.perform(effects.calls))
        logger.error("%s still asks the shop after %s rounds; left for the sweep",
                     type(arrival).__name__, door.MAX_ROUNDS)
        return door.Effects(tuple(messages))

    async def _looking_up(self, arrival: door.Arrival,
                          calls: Coroutine[Any, Any, list[Answered]]) -> list[Answered]:
        """The shop's answers; a buyer kept waiting over LOOKING_UP_AFTER hears why, once."""
        work = asyncio.ensure_future(calls)
        done, _ = await asyncio.wait({work}, timeout=LOOKING_UP_AFTER)
        if not done and isinstance(arrival, door.TurnDue) and self.bot is not None:
            try:  # a passing note, straight through Telegram: the answer follows in the chat
                await self.bot.send_message(arrival.user_id, replies.LOOKING_UP)
            except TelegramError as exc:
                logger.warning("could not tell buyer %s the lookup is slow: %s",
                               arrival.user_id, exc)
        return await work

    async def _turn_failed(self, user_id: int, exc: Exception) -> None:
        if not unwritable(exc):
            logger.error("buyer %s: turn failed, will retry", user_id, exc_info=exc)
            return
        logger.error("DATABASE UNWRITABLE (%s; %s): buyer %s's messages are kept and retried "
                     "every %ss", exc, UNWRITABLE_HINT, user_id,
                     self.kefu.config.sla.check_seconds)
        if user_id not in self.delayed:  # once, not at every retry of the sweep
            self.delayed.add(user_id)
            await self.say_sorry(user_id, replies.turn_delayed)

    async def say_sorry(self, user_id: int, reply: Callable[[datetime, datetime], str]) -> None:
        """Tell a buyer, straight through Telegram (no database), that tickets must wait."""
        if self.bot is None:
            return
        clock = self.kefu.now()
        try:
            await self.bot.send_message(user_id, reply(clock + RETRY_IN, clock))
        except TelegramError as exc:
            logger.warning("could not tell buyer %s about the fault: %s", user_id, exc)

    async def sweep(self) -> None:
        """Handle events stored but never handled (after a crash or a failed turn)."""
        for user_id in await self.call(inbox.waiting_users, self.kefu):
            self.schedule(user_id)

    async def agent(self, act: AgentAct) -> StaffResult:
        """Hand a staff action to the core and wake the sender."""
        effects = await self.enter(act, urgent=True)
        return effects.staff or StaffResult(False, "操作未完成 (订单系统无响应), 请重试。")

    async def is_staff(self, bot: ExtBot, user_id: int, name: str) -> bool:
        """Configured agents, or members of the staff chat (asked, then cached)."""
        if self.kefu.config.agent(user_id):
            return True
        cached = self.members.get(user_id)
        if cached and time.monotonic() - cached[1] < MEMBERSHIP_TTL:
            return cached[0]
        member = await self._member(bot, user_id)
        self.members[user_id] = (member, time.monotonic())
        if member:
            await self.call(door.enter, self.kefu, door.StaffSeen(user_id, name), urgent=True)
        return member

    async def _member(self, bot: ExtBot, user_id: int) -> bool:
        if self.staff_chat is None:
            return False
        try:
            status = (await bot.get_chat_member(self.staff_chat, user_id)).status
        except TelegramError as exc:
            logger.warning("staff check for %s failed: %s", user_id, exc)
            return False
        return status in STAFF_STATUSES


class KefuContext(CallbackContext[ExtBot, dict, dict, dict]):
    """Callback context with typed access to the runtime."""

    @property
    def runtime(self) -> Runtime:
        """The kefu runtime of this application."""
        return self.application.bot_data["runtime"]


def install(app: Application, runtime: Runtime) -> None:
    """Make the runtime reachable from every callback's context."""
    app.bot_data["runtime"] = runtime
