"""The front door: arrivals in, effects out; a turn that needs the shop commits nothing until
the adapter brings the answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot import door
from bot.events import AgentAct, BuyerSaid
from bot.kefu import Kefu
from bot.orders import ActionResult, Order
from bot.orders.calls import Answered, Call, LookupOrder, RequestRefund
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    ORDER,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
)

FAILED = Order(ORDER, "充值失败", buyer=str(BUYER), product="王者荣耀 60 点券", amount=30.0,
               pay_channel="支付宝")


def shop_kefu(make_shop: Callable[..., Kefu]) -> Kefu:
    """A kefu whose order system is remote (its calls are effects), with a refund endpoint."""
    return make_shop({"backend": "http", "http": {
        "lookup_url": "http://127.0.0.1:9/orders/{order_no}",
        "refund_url": "http://127.0.0.1:9/refund/{order_no}"}})


def count(k: Kefu, table: str) -> int:
    return int(k.store.db[table].count)


def test_arrived_events_wait_in_the_inbox_until_their_turn(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    effects = door.enter(k, door.Arrived((BuyerSaid(BUYER, "你好"),)))
    assert len(effects.stored) == 1 and not effects.messages
    assert count(k, "inbox") == 1 and count(k, "messages") == 0
    turn = door.enter(k, door.TurnDue(BUYER))
    assert [o.audience for o in turn.messages] == ["user"] and count(k, "inbox") == 0


def test_a_turn_that_needs_the_shop_commits_nothing_and_asks_for_the_call(
        make_shop: Callable[..., Kefu]) -> None:
    k = shop_kefu(make_shop)
    door.enter(k, door.Arrived((BuyerSaid(BUYER, f"充值失败了 {ORDER}"),)))
    effects = door.enter(k, door.TurnDue(BUYER))
    assert effects.calls == (LookupOrder(ORDER),) and not effects.messages
    assert count(k, "inbox") == 1  # still waiting: the turn runs again with the answer
    assert count(k, "messages") == 0 and count(k, "outbox") == 0


def test_the_answers_complete_the_turn_and_a_refund_is_one_more_round(
        make_shop: Callable[..., Kefu]) -> None:
    k = shop_kefu(make_shop)
    door.enter(k, door.Arrived((BuyerSaid(BUYER, f"充值失败了 {ORDER}"),)))
    looked = [Answered(LookupOrder(ORDER), FAILED)]
    refund = door.enter(k, door.TurnDue(BUYER), looked)
    [call] = refund.calls
    assert isinstance(call, RequestRefund) and call.order == FAILED
    assert count(k, "tickets") == 0
    done = door.enter(k, door.TurnDue(BUYER), [*looked, Answered(call, ActionResult(True, "R-1"))])
    assert not done.calls and count(k, "inbox") == 0 and count(k, "tickets") == 1
    assert any("1 小时内原路退回" in o.text for o in done.messages if o.audience == "user")


def test_run_makes_the_calls_between_rounds_and_returns_every_message(
        make_shop: Callable[..., Kefu]) -> None:
    k = shop_kefu(make_shop)
    made: list[Call] = []

    def perform(_k: Kefu, call: Call) -> Answered:
        made.append(call)
        return Answered(call, error="connection refused")  # the shop is down

    outs = door.receive(k, BuyerSaid(BUYER, f"充值失败了 {ORDER} 退款"), perform)
    assert made == [LookupOrder(ORDER)]
    text = "\n".join(o.text for o in outs if o.audience == "user")
    assert "订单系统暂时连不上" in text and count(k, "inbox") == 0


def test_a_turn_that_keeps_asking_is_left_for_the_sweep(
        make_shop: Callable[..., Kefu]) -> None:
    k = shop_kefu(make_shop)
    rounds: list[Call] = []

    def forgetful(_k: Kefu, call: Call) -> Answered:  # answers a different call each time
        rounds.append(call)
        return Answered(LookupOrder(f"X{len(rounds)}"), None)

    door.run(k, door.Arrived((BuyerSaid(BUYER, f"充值失败了 {ORDER}"),)), forgetful)
    effects = door.run(k, door.TurnDue(BUYER), forgetful)
    assert len(rounds) == door.MAX_ROUNDS and not effects.calls
    assert count(k, "inbox") == 1  # not lost: the sweep takes it again


def test_staff_seen_registers_once_and_keeps_a_known_role(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    door.enter(k, door.StaffSeen(777, "小李"))
    door.enter(k, door.StaffSeen(777, "小李", "supervisor", on_duty=True))
    agent = k.store.agents.get(777)
    assert agent is not None and (agent.role, agent.on_duty) == ("junior", True)
    door.enter(k, door.StaffSeen(501, "改名", "junior"))  # configured as a senior
    known = k.store.agents.get(501)
    assert known is not None and (known.name, known.role) == ("小王", "senior")


def test_an_agent_action_returns_what_the_agent_is_told(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    effects = door.enter(k, AgentAct(501, "duty", text="on"))
    assert effects.staff is not None and effects.staff.ok and "上岗" in effects.staff.note


def test_run_refuses_to_call_the_shop_inside_a_transaction(
        make_shop: Callable[..., Kefu]) -> None:
    k = shop_kefu(make_shop)
    door.enter(k, door.Arrived((BuyerSaid(BUYER, f"充值失败了 {ORDER}"),)))
    called: list[Call] = []
    with k.store.transaction(), pytest.raises(RuntimeError, match="inside a transaction"):
        door.run(k, door.TurnDue(BUYER), lambda _k, call: called.append(call))  # type: ignore
    assert called == []
