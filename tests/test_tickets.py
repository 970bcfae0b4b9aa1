"""The queue a promise is made from, read from a real SQLite file (bot.tickets.promise)."""

from __future__ import annotations

from datetime import timedelta

from bot import tickets
from bot.kefu import Kefu
from bot.tickets import PRIOR_WEIGHT, handle_time, promise, queued_as
from tests.fixtures_core import FakeClock, agent

SENIOR, SUPERVISOR = 501, 502


def open_(k: Kefu, intent_id: str, user_id: int = 42) -> int:
    now = k.now()
    with k.store.transaction():
        ticket, _ = tickets.open_ticket(k, user_id, k.intent(intent_id), {}, now)  # type: ignore[arg-type]
    return ticket.id


def handled(k: Kefu, clock: FakeClock, minutes: float) -> None:
    """One ticket claimed and resolved `minutes` later."""
    ticket_id = open_(k, "card_not_received")
    agent(k, SENIOR, "claim", ticket_id)
    clock.advance(minutes=minutes)
    agent(k, SENIOR, "resolve", ticket_id)


def test_handle_time_is_a_mean_pulled_toward_the_configured_value(
        kefu: Kefu, clock: FakeClock) -> None:
    assert handle_time(kefu) == timedelta(minutes=15)  # no history yet
    for minutes in (5, 5, 5, 5, 40):  # skewed: the median (5) would promise too early
        handled(kefu, clock, minutes)
    expected = (4 * 5 + 15 + 15 * PRIOR_WEIGHT) / (5 + PRIOR_WEIGHT)  # 40 capped at 3 x 5
    assert abs(handle_time(kefu).total_seconds() / 60 - expected) < 1e-6


def test_b_ticket_queues_as_the_a_ticket_it_will_become(kefu: Kefu) -> None:
    # B's 5-minute target runs out before the 10-minute pickup: the SLA moves it to A first.
    assert queued_as(kefu, "B") == "A" and queued_as(kefu, "A") == "A"


def test_waiting_b_tickets_count_ahead_of_a_new_a_ticket(kefu: Kefu) -> None:
    agent(kefu, SENIOR, "duty", text="on")
    alone = promise(kefu, "A", kefu.now()).wait
    for user in (1, 2, 3):
        open_(kefu, "contact_human", user)  # tier B, will breach into A
    assert promise(kefu, "A", kefu.now()).wait > alone


def test_busy_agents_push_the_promise_back(kefu: Kefu) -> None:
    agent(kefu, SENIOR, "duty", text="on")
    free = promise(kefu, "A", kefu.now()).wait
    agent(kefu, SENIOR, "claim", open_(kefu, "account_stolen"))
    agent(kefu, SENIOR, "reply", 1, "在查")  # replied: no longer waiting, but still working it
    assert promise(kefu, "A", kefu.now()).wait > free


def test_recent_urgent_tickets_stretch_a_queued_promise(kefu: Kefu) -> None:
    agent(kefu, SENIOR, "duty", text="on")
    for user in (1, 2):
        open_(kefu, "card_not_received", user)
    calm = promise(kefu, "A", kefu.now()).wait
    for user in (3, 4):
        open_(kefu, "account_stolen", user)  # tier S: they will be served first
    agent(kefu, SUPERVISOR, "reply", 3, "在查")
    agent(kefu, SUPERVISOR, "reply", 4, "在查")  # answered, yet the rate of S work remains
    assert promise(kefu, "A", kefu.now()).wait > calm
