"""SLA timers with a fake clock on a real SQLite file: warn, breach, renew, once each."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import cards
from bot.eta import format_due
from bot.kefu import Kefu
from bot.outbox import deliver
from bot.records import Outgoing, Ticket
from bot.tickets import open_ticket
from tests.fixtures_core import FakeClock, agent, tick

SENIOR, SUPERVISOR = 501, 502  # 小王, 老李 in the test config


def open_(k: Kefu, intent_id: str, user_id: int = 42) -> Ticket:
    """Open a ticket straight through the ticket code, as the conversation would."""
    intent = k.intent(intent_id)
    assert intent is not None
    now = k.now()
    with k.store.transaction():
        k.store.users.ensure(user_id, "小张", now)
        ticket, outs = open_ticket(k, user_id, intent, {"demand": "其他"}, now)
        deliver(k.store, outs, now)
    return ticket


def on_duty(k: Kefu, *agent_ids: int) -> None:
    for agent_id in agent_ids:
        assert agent(k, agent_id, "duty", text="on").ok


def events(k: Kefu, ticket_id: int, name: str) -> list[dict]:
    return [e for e in k.store.ticket_events.of(ticket_id) if e["event"] == name]


def texts(outs: list[Outgoing], audience: str) -> list[str]:
    return [o.text for o in outs if o.audience == audience and o.kind == "text"]


def test_warning_at_80_percent_names_the_assigned_agent(kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "contact_human")  # tier B: first reply within 5 minutes
    agent(kefu, SENIOR, "claim", t.id)
    clock.advance(minutes=3, seconds=59)
    assert tick(kefu) == []
    clock.advance(seconds=1)  # 4 of 5 minutes
    [warning] = tick(kefu)
    assert warning.audience == "staff" and warning.ticket_id == t.id
    assert "首次回复将于 14:05 超时" in warning.text and "小王 请尽快处理" in warning.text
    [event] = events(kefu, t.id, "sla_warned")
    assert '"target": "first_reply"' in event["data"] and "14:05:00+08:00" in event["data"]


def test_warning_on_an_unclaimed_ticket_names_seniors_on_duty(kefu: Kefu,
                                                             clock: FakeClock) -> None:
    on_duty(kefu, SENIOR, SUPERVISOR)
    open_(kefu, "contact_human")
    clock.advance(minutes=4)
    [warning] = tick(kefu)
    assert "未认领, 请 小王, 老李 接手" in warning.text


def test_breach_escalates_reassigns_resends_the_card_and_apologises(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR, SUPERVISOR)
    t = open_(kefu, "contact_human")
    clock.advance(minutes=4)
    tick(kefu)  # the warning
    clock.advance(minutes=1)
    outs = tick(kefu)
    moved = kefu.store.tickets.get(t.id)
    assert moved.tier == "A" and moved.agent_id == SENIOR and moved.owner == "agent"
    [notice] = texts(outs, "staff")
    assert "⏰ #T1001 首次回复已超时" in notice and "升级 B→A" in notice
    assert "转给 小王" in notice and "请 老李 关注" in notice
    [card] = [o for o in outs if o.kind == "card"]
    # Issue 16: the tier's colour (A 🟠) and the breach (⏰) are different marks.
    assert card.text.startswith("🟠⏰ #T1001 A") and cards.topic_title(moved).startswith("🟠⏰")
    [title] = [o for o in outs if o.kind == "title"]  # the core renames the thread
    assert title.audience == "staff" and title.text == cards.topic_title(moved)
    # Issue 16: the buyer's promise has not passed, so the buyer hears nothing yet.
    assert t.promised_at > clock.now and texts(outs, "user") == []
    names = [e["event"] for e in kefu.store.ticket_events.of(t.id)]
    # One `escalated` event says who has it now (bot/escalation.py): no `reassigned` beside it.
    assert names[-2:] == ["sla_breached", "escalated"]
    [escalated] = events(kefu, t.id, "escalated")
    assert json.loads(escalated["data"]) == {"reason": "sla", "tier": "A", "was": "B",
                                             "to": SENIOR, "target": "first_reply"}


def test_breach_after_the_promise_apologises_with_a_new_time(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR, SUPERVISOR)
    t = open_(kefu, "contact_human")
    kefu.store.tickets.update(t.id, clock.now, promised_at=clock.now + timedelta(minutes=3))
    clock.advance(minutes=5)
    outs = tick(kefu)
    moved = kefu.store.tickets.get(t.id)
    [apology] = texts(outs, "user")
    assert moved.promised_at > clock.now
    assert "抱歉" in apology and f"预计 {format_due(moved.promised_at, kefu.now())} 前回复" \
        in apology and "小王" in apology and "已升级" in apology


def test_breach_without_reassignment_when_configured_off(
        config_file: Path, make_kefu: Callable[..., Kefu], clock: FakeClock) -> None:
    config_file.write_text(config_file.read_text(encoding="utf-8")
                           + "sla: {reassign_on_breach: false}\n", encoding="utf-8")
    k = make_kefu()
    on_duty(k, SENIOR)
    t = open_(k, "contact_human")
    clock.advance(minutes=5)
    tick(k)
    [escalated] = events(k, t.id, "escalated")
    assert k.store.tickets.get(t.id).agent_id is None and "to" not in json.loads(escalated["data"])


def test_each_step_fires_once_even_after_a_restart(make_kefu: Callable[..., Kefu],
                                                   clock: FakeClock) -> None:
    k = make_kefu()
    on_duty(k, SENIOR, SUPERVISOR)
    t = open_(k, "contact_human")
    clock.advance(minutes=4)
    assert len(tick(k)) == 1
    assert tick(k) == []
    k.store.db.conn.close()
    k = make_kefu()  # a new process: only the database remembers
    assert tick(k) == []
    clock.advance(minutes=1)
    # staff notice, card, the thread's new title; the buyer's promise still holds (issue 16)
    assert len(tick(k)) == 3
    k.store.db.conn.close()
    k = make_kefu()
    assert tick(k) == []
    assert len(events(k, t.id, "sla_warned")) == 1 and len(events(k, t.id, "sla_breached")) == 1


def test_resolved_tickets_are_left_alone(kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "account_stolen")
    agent(kefu, SENIOR, "resolve", t.id)
    clock.advance(hours=30)
    assert tick(kefu) == []
    assert [e["event"] for e in kefu.store.ticket_events.of(t.id)] == ["opened", "resolved"]


def test_a_broken_promise_gets_a_new_time_once(kefu: Kefu, clock: FakeClock) -> None:
    t = open_(kefu, "card_not_received")  # tier A: 2 h target, nobody on duty: 14:25 promised
    assert format_due(t.promised_at, kefu.now()) == "14:25"
    clock.advance(minutes=24)
    assert tick(kefu) == []
    clock.advance(minutes=1)
    outs = tick(kefu)
    renewed = kefu.store.tickets.get(t.id).promised_at
    [apology] = texts(outs, "user")
    assert "没能在 14:25 前回复你" in apology
    assert f"预计 {format_due(renewed, kefu.now())} 前回复" in apology and renewed > clock.now
    assert "已告知买家新时间" in texts(outs, "staff")[0]
    assert tick(kefu) == []
    [event] = events(kefu, t.id, "eta_renewed")
    assert t.promised_at.astimezone(UTC).isoformat() in event["data"]


def test_each_new_promise_is_renewed_once_when_it_breaks_too(kefu: Kefu,
                                                            clock: FakeClock) -> None:
    t = open_(kefu, "card_not_received")
    clock.advance(minutes=25)
    tick(kefu)
    clock.now = kefu.store.tickets.get(t.id).promised_at.astimezone(UTC)
    assert "没能在" in texts(tick(kefu), "user")[0]
    assert len(events(kefu, t.id, "eta_renewed")) == 2


def test_replied_ticket_has_no_broken_promise(kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "card_not_received")
    agent(kefu, SENIOR, "reply", t.id, "您好, 正在查")
    clock.advance(minutes=60)
    assert tick(kefu) == []


def test_sla_clock_pauses_outside_business_hours(kefu: Kefu, clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 23, 15, 58, tzinfo=UTC)  # 23:58 in Shanghai
    t = open_(kefu, "contact_human")
    clock.now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 04:00: closed, nothing is late
    assert tick(kefu) == []
    clock.now = datetime(2026, 11, 24, 1, 3, tzinfo=UTC)  # 09:03: 2 min before + 3 min after
    assert any("已超时" in o.text for o in tick(kefu))
    assert kefu.store.tickets.get(t.id).tier == "A"


def test_escalation_into_an_already_passed_target_does_not_breach_again(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "card_not_received")
    agent(kefu, SENIOR, "reply", t.id, "在查")  # first reply met
    clock.advance(hours=33)  # 24 business hours to resolve: Mon 14:00 -> Tue 23:00
    tick(kefu)
    assert kefu.store.tickets.get(t.id).tier == "S"  # S resolves in 8 h: long passed on arrival
    clock.advance(minutes=10)
    assert tick(kefu) == []
    assert len(events(kefu, t.id, "sla_breached")) == 1


def test_resolution_breach_after_a_reply_apologises_without_a_clock_time(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "contact_human")
    agent(kefu, SENIOR, "reply", t.id, "在查")
    clock.advance(minutes=60)
    [apology] = texts(tick(kefu), "user")
    assert "处理得比预期慢" in apology and "预计" not in apology
