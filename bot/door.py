"""The front door: every arrival enters the core here, the same way from every adapter.

An adapter (Telegram, the console, the tests) turns what happened into an
arrival and calls `enter`. The core decides inside one transaction and
returns `Effects`: the messages it queued in the outbox (already committed;
the adapter delivers them) and the calls to the shop it needs before it can
decide (nothing of that turn was committed). The adapter makes those calls
with no transaction open and enters the same arrival again with the answers.
`run` is that loop for adapters that may block (the console, tests, cron);
the Telegram runtime runs the same loop with awaits.

    adapter → enter(arrival) → core (one transaction) → Effects → adapter
                    ↑                                      │ calls
                    └──────── enter(arrival, answers) ←────┘
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from bot import inbox, retention
from bot.events import (
    AgentAct,
    ButtonPressed,
    BuyerBurst,
    BuyerCommand,
    BuyerEvent,
    BuyerSaid,
)
from bot.kefu import Kefu
from bot.logmask import SecretMasker
from bot.orders.calls import Answered, Call, NeedsCalls, answers_of
from bot.orders.refunds import check_refunds
from bot.records import Outgoing
from bot.sla import check_sla
from bot.staff import StaffResult, handle_agent, register_staff

logger = logging.getLogger(__name__)
MAX_ROUNDS = 5  # lookup, then a refund or resend: two rounds; more means a turn that loops


@dataclass(frozen=True)
class Arrived:
    """Buyer events that arrived together: stored in the inbox (durably) before anything."""

    events: tuple[BuyerSaid | ButtonPressed | BuyerCommand, ...]


@dataclass(frozen=True)
class TurnDue:
    """Handle, turn by turn, what waits in the inbox for this buyer."""

    user_id: int


@dataclass(frozen=True)
class Tick:
    """The timers' tick: SLA warnings and breaches, channel-notice deadlines, and once a day
    retention's pruning."""


@dataclass(frozen=True)
class TrackRefunds:
    """Look up refund tickets' orders; resolve those the shop shows as refunded."""


@dataclass(frozen=True)
class StaffSeen:
    """Someone turned out to be staff (a member of the staff group, a console agent): known
    from now on with this role unless known already; `on_duty` sets their duty."""

    agent_id: int
    name: str
    role: str = "junior"
    on_duty: bool | None = None


Arrival = Arrived | TurnDue | AgentAct | Tick | TrackRefunds | StaffSeen


@dataclass(frozen=True)
class Effects:
    """What the core decided: messages queued (committed), calls still to make, and for an
    agent's action what that agent is told; `stored` are new inbox ids (for `Arrived`)."""

    messages: tuple[Outgoing, ...] = ()
    calls: tuple[Call, ...] = ()
    staff: StaffResult | None = None
    stored: tuple[int, ...] = ()


def enter(k: Kefu, arrival: Arrival, answered: Iterable[Answered] = ()) -> Effects:
    """The one entry into the core; `answered`: the shop's answers to the calls a previous
    `enter` of the same arrival asked for."""
    if isinstance(arrival, Arrived):
        return Effects(stored=tuple(inbox.receive_all(k, list(arrival.events))))
    answers = answers_of(answered)
    try:
        return _decide(replace(k, answers=answers) if answers else k, arrival)
    except NeedsCalls as needed:
        return Effects(calls=needed.calls)


def _decide(k: Kefu, arrival: Arrival) -> Effects:
    if isinstance(arrival, TurnDue):
        taken = inbox.take_turns(k, arrival.user_id)
        return Effects(tuple(taken.outs), taken.calls)
    if isinstance(arrival, AgentAct):
        result = handle_agent(k, arrival)
        return Effects(tuple(result.outs), staff=result)
    if isinstance(arrival, Tick):
        outs = tuple(check_sla(k))
        _prune_daily(k)
        return Effects(outs)
    if isinstance(arrival, StaffSeen):
        register_staff(k, arrival.agent_id, arrival.name, arrival.role, arrival.on_duty)
        return Effects()
    return Effects(tuple(check_refunds(k)))  # TrackRefunds


def _prune_daily(k: Kefu) -> None:
    """Retention's daily run, a bounded step per tick until done (bot/retention.py)."""
    now = k.now()
    mask = SecretMasker(None, k.config.order_pattern)
    try:
        with k.store.transaction():
            pruned = retention.daily(k.store, mask, k.config.retention_days, now)
    except Exception:  # housekeeping must never stop the timers: tried again next tick
        logger.exception("pruning failed; tried again on the next tick")
        return
    if pruned is not None:
        logger.info("pruned: %s", "; ".join(pruned.lines()))


Perform = Callable[[Kefu, Call], Answered]


def run(k: Kefu, arrival: Arrival, perform: Perform) -> Effects:
    """Enter, make the calls the core asks for (no transaction open), enter again with the
    answers, until it has decided; messages queued along the way are all returned."""
    answered: list[Answered] = []
    messages: list[Outgoing] = []
    for _ in range(MAX_ROUNDS):
        effects = enter(k, arrival, answered)
        messages += effects.messages
        if not effects.calls:
            return replace(effects, messages=tuple(messages))
        if k.store.db.conn.in_transaction:  # a caller's transaction would hold every buyer
            raise RuntimeError("calls to the shop must not be made inside a transaction")
        answered += [perform(k, call) for call in effects.calls]
    logger.error("%s still asked for calls after %s rounds; left for the next sweep",
                 type(arrival).__name__, MAX_ROUNDS)
    return Effects(tuple(messages))


def receive(k: Kefu, event: BuyerEvent, perform: Perform) -> list[Outgoing]:
    """Store a buyer event (a burst: its parts) and take the buyer's turns: what a blocking
    adapter does with each message (Telegram stores a batch of updates, then takes turns)."""
    run(k, Arrived(event.events if isinstance(event, BuyerBurst) else (event,)), perform)
    return list(run(k, TurnDue(event.user_id), perform).messages)

