"""Buyer events are stored on arrival and handled in turns; a burst is one turn.

An album or several forwards arrive within milliseconds. Handling each alone
would ask the same question three times, or read "急用" as the answer to "what
do you want?". Texts and files waiting for the same buyer are merged into one
turn; buttons and commands keep their place in the order. Because events are
stored before they are handled, a crash in between replays them after restart.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot import plain, replies
from bot.conversation import handle
from bot.db import unwritable
from bot.events import READABLE, ButtonPressed, BuyerBurst, BuyerCommand, BuyerEvent, BuyerSaid
from bot.kefu import Kefu
from bot.orders.calls import Call, NeedsCalls
from bot.outbox import deliver, to_buyer, to_staff
from bot.records import Outgoing

logger = logging.getLogger(__name__)
_TYPES: dict[str, type] = {"BuyerSaid": BuyerSaid, "ButtonPressed": ButtonPressed,
                           "BuyerCommand": BuyerCommand}
Waiting = tuple[list[int], BuyerEvent]  # inbox ids, and the event they make together


@dataclass(frozen=True)
class Taken:
    """Turns handled for one buyer: their messages, and the calls the next turn waits for."""

    outs: list[Outgoing] = field(default_factory=list)
    calls: tuple[Call, ...] = ()


def receive_all(k: Kefu, events: list[BuyerSaid | ButtonPressed | BuyerCommand]) -> list[int]:
    """Store events that arrived together in one transaction (one write to disk for a batch
    of updates, not one each), in arrival order."""
    now = k.now()
    with k.store.transaction(durable=True):
        return [k.store.inbox.add(e.user_id, {"type": type(e).__name__, **asdict(e)}, now)
                for e in events]


def _event(raw: dict[str, Any]) -> BuyerEvent:
    fields = {key: value for key, value in raw.items() if key != "type"}
    return _TYPES[raw["type"]](**fields)


def _mergeable(event: BuyerEvent) -> bool:
    return isinstance(event, BuyerSaid) and event.kind in READABLE


def turns(rows: list[dict[str, Any]]) -> list[Waiting]:
    """Group pending rows in order: runs of texts/files become one burst, others stay single."""
    grouped: list[tuple[list[int], list[BuyerEvent]]] = []
    for row in rows:
        event = _event(row["event"])
        if grouped and _mergeable(event) and _mergeable(grouped[-1][1][-1]):
            grouped[-1][0].append(row["id"])
            grouped[-1][1].append(event)
        else:
            grouped.append(([row["id"]], [event]))
    return [(ids, events[0] if len(events) == 1 else BuyerBurst(tuple(events)))  # type: ignore[arg-type]
            for ids, events in grouped]


def take_turns(k: Kefu, user_id: int) -> Taken:
    """Handle everything waiting for this buyer, burst by burst, until a turn needs the shop
    (`k.answers` are that first turn's answers); nothing waited: nothing taken."""
    outs: list[Outgoing] = []
    for n, (ids, event) in enumerate(turns(k.store.inbox.pending(user_id))):
        try:
            # The answers belong to the first turn, the one that asked for them.
            outs += handle(k if n == 0 or not k.answers else replace(k, answers={}), event,
                           inbox_ids=ids)
        except NeedsCalls as needed:  # rolled back: this turn runs again with the answers
            return Taken(outs, needed.calls)
        except Exception as exc:  # one bad event must not block the buyer's queue forever
            if unwritable(exc):  # not the event's fault: it stays here for the next sweep
                raise
            logger.exception("turn for buyer %s failed; recording it for staff", user_id)
            outs += _failed(k, user_id, ids)
    return Taken(outs)


def _failed(k: Kefu, user_id: int, ids: list[int]) -> list[Outgoing]:
    """Keep what the buyer sent and say so, even though the turn could not be handled."""
    now = k.now()
    with k.store.transaction():
        ticket = k.store.tickets.open_of(user_id)
        outs = [to_buyer(user_id, replies.TURN_FAILED)]
        for row in k.store.inbox.pending(user_id):
            if row["id"] in ids:
                text = str(row["event"].get("text") or row["event"].get("data") or "")
                k.store.messages.record(user_id, "in", "buyer", text, now,
                                        ticket.id if ticket else None, "failed")
                if ticket and text:
                    said = plain.one_line(text)
                    outs.append(to_staff(ticket.id, f"买家补充 (未能自动处理): {said}"))
        k.store.inbox.done(ids)
        return deliver(k.store, outs, now)


def waiting_users(k: Kefu) -> list[int]:
    """Buyers with events not yet handled (after a crash, say)."""
    return k.store.inbox.users()
