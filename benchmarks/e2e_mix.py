"""Mixed conversations for bench_e2e.py: FAQ buyers, handoff buyers, and agents replying.

Every step is one action (a buyer's message or button press, an agent's reply or button)
and one delivery it must cause, matched by content: the step's latency runs from the action
to that delivery. A delivery that never comes is lost, and so is every later step of that
conversation. Against the echo bot the same buyers send the same texts, and any reply counts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Message = dict[str, Any]
FAQ_SHARE = 0.6  # the rest hand over to a person
FAQ_TEXTS = ["卡密怎么用", "退款多久到账", "你们几点上班", "你好", "有没有优惠", "点卡有货吗",
             "卡密在哪里兑换", "谢谢"]
HANDOFF_TEXTS = ["买了卡没收到卡密", "{order}", "补发", "好的 谢谢"]


def is_faq_buyer(index: int) -> bool:
    """Buyers 0, 1, 2 of every 5 ask FAQ questions; 3 and 4 need a person."""
    return index % 5 < round(FAQ_SHARE * 5)


def order_no(user_id: int) -> str:
    """A unique, valid order number per buyer."""
    return f"KM{user_id:018d}"


def has(text: str) -> Callable[[Message], bool]:
    """Predicate on a message's text."""
    return lambda m: text in (m.get("text") or "")


@dataclass
class Tally:
    """What the simulated people saw."""

    steps: int = 0
    lost: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # faq | handoff | agent

    def done(self, started: float, kind: str) -> None:
        """One step delivered."""
        ms = (time.perf_counter() - started) * 1000
        self.steps += 1
        self.latencies_ms.append(ms)
        self.by_kind.setdefault(kind, []).append(ms)


class Clients:
    """One HTTP client per simulated person (each is a phone of its own). One shared pool of
    hundreds of connections cost the driver more CPU than the bots under test: httpx checks
    every idle connection of a pool on every request."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url, self.timeout = base_url, timeout
        self.of: dict[int, httpx.AsyncClient] = {}

    def __call__(self, person: int) -> httpx.AsyncClient:
        """This person's client (best made before the clock starts: see `ready`)."""
        if person not in self.of:
            limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
            # Plain HTTP on loopback: no certificates to load for each of hundreds of clients.
            self.of[person] = httpx.AsyncClient(base_url=self.base_url, limits=limits,
                                                timeout=self.timeout, verify=False)
        return self.of[person]

    def ready(self, *people: int) -> None:
        """Make these people's clients now, not in the middle of a measurement."""
        for person in people:
            self(person)

    async def aclose(self) -> None:
        """Close every client."""
        for client in self.of.values():
            await client.aclose()
        self.of.clear()


class Peer:
    """The emulator's control routes, asynchronously, each call from its person's client."""

    def __init__(self, clients: Clients, token: str, timeout: float) -> None:
        self.client, self.token, self.timeout = clients, token, timeout

    async def say(self, user_id: int, chat_id: int, text: str, thread_id: int | None = None,
                  first_name: str = "Buyer") -> int:
        """A user's message; returns its id."""
        body = {"token": self.token, "userId": user_id, "chatId": chat_id, "text": text,
                "threadId": thread_id, "firstName": first_name}
        answer = await self.client(user_id).post("/_test/userMessage", json=body)
        answer.raise_for_status()
        return int(answer.json()["message_id"])

    async def ask(self, user_id: int, text: str) -> bool:
        """Send and wait for any reply in the chat (the emulator waits for us)."""
        body = {"token": self.token, "userId": user_id, "chatId": user_id, "text": text,
                "awaitReply": self.timeout}
        answer = await self.client(user_id).post("/_test/userMessage", json=body,
                                                 timeout=self.timeout + 10)
        answer.raise_for_status()
        return bool(answer.json()["replies"])

    async def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> None:
        """Press an inline button."""
        body = {"token": self.token, "userId": user_id, "chatId": chat_id,
                "messageId": message_id, "data": data}
        (await self.client(user_id).post("/_test/callback", json=body)).raise_for_status()

    async def wait(self, chat_id: int, after: int, match: Callable[[Message], bool]
                   ) -> Message | None:
        """The first bot message after `after` in the chat that matches, or None in time."""
        deadline = time.monotonic() + self.timeout
        version = -1
        while (left := deadline - time.monotonic()) > 0:
            params = {"chatId": chat_id, "afterMessageId": after, "waitVersion": version,
                      "timeout": left}
            answer = await self.client(chat_id).get("/_test/botMessages", params=params,
                                                    timeout=left + 10)
            answer.raise_for_status()
            body = answer.json()
            version = body["version"]
            found = next((m for m in body["messages"] if match(m)), None)
            if found:
                return found
        return None


class StaffDesk:
    """Watches the staff group for ticket cards and relayed buyer messages."""

    def __init__(self, peer: Peer, chat_id: int) -> None:
        self.peer, self.chat_id = peer, chat_id
        self.cards: dict[int, asyncio.Future[Message]] = {}  # buyer id -> card
        self.relays: dict[tuple[int, str], asyncio.Future[Message]] = {}  # (thread, text)

    def card_of(self, user_id: int) -> asyncio.Future[Message]:
        """The card of this buyer's ticket, when it appears."""
        return self.cards.setdefault(user_id, asyncio.get_running_loop().create_future())

    def relay(self, thread_id: int, text: str) -> asyncio.Future[Message]:
        """A message containing `text` in that topic, when it appears."""
        key = (thread_id, text)
        return self.relays.setdefault(key, asyncio.get_running_loop().create_future())

    async def watch(self) -> None:
        """Long-poll the staff group until cancelled."""
        after, version = 0, -1
        while True:
            params = {"chatId": self.chat_id, "afterMessageId": after, "waitVersion": version,
                      "timeout": 30}
            answer = await self.peer.client(self.chat_id).get("/_test/botMessages",
                                                              params=params, timeout=40)
            answer.raise_for_status()
            body = answer.json()
            version = body["version"]
            for message in body["messages"]:
                after = max(after, message["message_id"])
                self._sort(message)

    def _sort(self, message: Message) -> None:
        text = message.get("text") or ""
        if (message.get("reply_markup") or {}).get("inline_keyboard") and "(id " in text:
            user_id = int(text.split("(id ", 1)[1].split(")", 1)[0])
            future = self.card_of(user_id)
            if not future.done():
                future.set_result(message)
        for (thread, wanted), future in self.relays.items():
            if message.get("message_thread_id") == thread and wanted in text \
                    and not future.done():
                future.set_result(message)


def card_button(card: Message, label: str) -> str:
    """The callback data of a card button."""
    rows = card["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if b["text"] == label)


async def faq_buyer(peer: Peer, user_id: int, tally: Tally) -> None:
    """Eight questions the FAQ answers, each waiting for its answer."""
    for n, text in enumerate(FAQ_TEXTS):
        started = time.perf_counter()
        if not await peer.ask(user_id, text):
            tally.lost += len(FAQ_TEXTS) - n
            return
        tally.done(started, "faq")


async def echo_handoff_buyer(peer: Peer, user_id: int, tally: Tally) -> None:
    """The handoff buyer's texts, against a bot that only echoes."""
    for n, text in enumerate(HANDOFF_TEXTS):
        started = time.perf_counter()
        if not await peer.ask(user_id, text.format(order=order_no(user_id))):
            tally.lost += len(HANDOFF_TEXTS) - n
            return
        tally.done(started, "handoff")


async def handoff_buyer(peer: Peer, desk: StaffDesk, agent: int, user_id: int,
                        tally: Tally) -> None:
    """Intake, ticket, an agent's reply, the buyer's thanks relayed, resolved."""
    order = order_no(user_id)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("buyer", lambda: _buyer_step(peer, user_id, "买了卡没收到卡密", has("订单号"))),
        ("buyer", lambda: _buyer_step(peer, user_id, order, has("怎么处理"))),
        ("buyer", lambda: _buyer_step(peer, user_id, "补发", has("已受理"))),
        ("agent", lambda: _agent_replies(peer, desk, agent, user_id)),
        ("buyer", lambda: _buyer_relayed(peer, desk, user_id, "好的 谢谢")),
        ("agent", lambda: _agent_resolves(peer, desk, agent, user_id)),
    ]
    for n, (who, step) in enumerate(steps):
        started = time.perf_counter()
        if not await step():
            tally.lost += len(steps) - n
            return
        tally.done(started, "handoff" if who == "buyer" else "agent")


async def _buyer_step(peer: Peer, user_id: int, text: str,
                      match: Callable[[Message], bool]) -> bool:
    sent = await peer.say(user_id, user_id, text)
    return await peer.wait(user_id, sent, match) is not None


async def _card(desk: StaffDesk, user_id: int, timeout: float) -> Message | None:
    try:
        return await asyncio.wait_for(asyncio.shield(desk.card_of(user_id)), timeout)
    except TimeoutError:
        return None


async def _agent_replies(peer: Peer, desk: StaffDesk, agent: int, user_id: int) -> bool:
    card = await _card(desk, user_id, peer.timeout)
    if card is None:
        return False
    sent = await peer.say(agent, desk.chat_id, "您好, 正在为你补发", card["message_thread_id"],
                          first_name=f"客服{agent}")
    return await peer.wait(user_id, sent, has("正在为你补发")) is not None


async def _buyer_relayed(peer: Peer, desk: StaffDesk, user_id: int, text: str) -> bool:
    card = desk.card_of(user_id).result()
    relayed = desk.relay(card["message_thread_id"], f"买家补充: {text}")
    await peer.say(user_id, user_id, text)
    try:
        await asyncio.wait_for(asyncio.shield(relayed), peer.timeout)
    except TimeoutError:
        return False
    return True


async def _agent_resolves(peer: Peer, desk: StaffDesk, agent: int, user_id: int) -> bool:
    card = desk.card_of(user_id).result()
    last = card["message_id"]
    await peer.press(agent, desk.chat_id, card["message_id"], card_button(card, "已解决"))
    return await peer.wait(user_id, last, has("已解决")) is not None


async def mixed(clients: Clients, token: str, user_ids: list[int], timeout: float,
                staff: tuple[int, tuple[int, ...]] | None) -> Tally:
    """All buyers at once; with `staff` (group id, agent ids) handoffs reach agents."""
    peer, tally = Peer(clients, token, timeout), Tally()
    desk = StaffDesk(peer, staff[0]) if staff else None
    watcher = asyncio.create_task(desk.watch()) if desk else None

    async def one(n: int, user_id: int) -> None:
        if is_faq_buyer(n):
            await faq_buyer(peer, user_id, tally)
        elif desk is None or staff is None:
            await echo_handoff_buyer(peer, user_id, tally)
        else:
            await handoff_buyer(peer, desk, staff[1][n % len(staff[1])], user_id, tally)

    try:
        await asyncio.gather(*(one(n, user_id) for n, user_id in enumerate(user_ids)))
    finally:
        if watcher:
            watcher.cancel()
    return tally
