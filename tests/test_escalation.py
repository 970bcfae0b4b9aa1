"""One escalation policy: a chase, a missed SLA target and /escalate tier up the same way,
record the same event and hand the ticket to the same senior."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot import escalation
from bot.kefu import Kefu
from bot.outbox import deliver
from bot.records import Outgoing, Ticket
from bot.sla import check_sla
from bot.tickets import open_ticket
from tests.fixtures_core import Buyer, FakeClock, agent

SENIOR, SUPERVISOR, OTHER_SENIOR = 501, 502, 601  # 小王, 老李 (config), 小赵 (added here)


def open_(k: Kefu, user_id: int, intent_id: str = "contact_human") -> Ticket:
    """A tier B ticket (contact_human), opened as the conversation would."""
    intent = k.intent(intent_id)
    assert intent is not None
    now = k.now()
    with k.store.transaction():
        k.store.users.ensure(user_id, f"买家{user_id}", now)
        ticket, outs = open_ticket(k, user_id, intent, {"demand": "其他"}, now)
        deliver(k.store, outs, now)
    return ticket


def roster(k: Kefu) -> None:
    """Seniors 小王 and 小赵 and supervisor 老李 on duty; 小王 already has a ticket."""
    with k.store.transaction():
        k.store.agents.upsert(OTHER_SENIOR, "小赵", "senior", k.now())
    for agent_id in (SENIOR, SUPERVISOR, OTHER_SENIOR):
        assert agent(k, agent_id, "duty", text="on").ok
    busy = open_(k, 7)
    agent(k, SENIOR, "reply", busy.id, "在查")  # answered: busy, but owes no first reply


def by_chase(k: Kefu, clock: FakeClock, t: Ticket) -> list[Outgoing]:
    buyer = Buyer(k, t.user_id)
    buyer.says("还没好吗")
    buyer.command("status")
    buyer.says("到底要等多久")
    return buyer.last


def by_sla(k: Kefu, clock: FakeClock, t: Ticket) -> list[Outgoing]:
    # The buyer hears of a breach only once their promise passed too (issue 16).
    k.store.tickets.update(t.id, clock.now, promised_at=clock.now + timedelta(minutes=4))
    clock.advance(minutes=5)  # B's first reply is due in 5 minutes
    return check_sla(k)


def by_agent(k: Kefu, clock: FakeClock, t: Ticket) -> list[Outgoing]:
    result = agent(k, SUPERVISOR, "escalate", t.id, "金额大")
    assert result.ok and "转给 小赵" in result.note
    return result.outs


Trigger = Callable[[Kefu, FakeClock, Ticket], list[Outgoing]]
TRIGGERS = {"chased": by_chase, "sla": by_sla, "agent": by_agent}


def escalated(k: Kefu, ticket_id: int) -> list[dict]:
    return [json.loads(e["data"]) for e in k.store.ticket_events.of(ticket_id)
            if e["event"] == "escalated"]


@pytest.mark.parametrize("reason", TRIGGERS)
def test_every_trigger_tiers_up_to_the_least_busy_senior_with_one_event_shape(
        kefu: Kefu, clock: FakeClock, reason: str) -> None:
    roster(kefu)
    t = open_(kefu, 42)
    outs = TRIGGERS[reason](kefu, clock, t)
    [event] = escalated(kefu, t.id)
    assert {key: event[key] for key in ("reason", "tier", "was", "to")} == \
        {"reason": reason, "tier": "A", "was": "B", "to": OTHER_SENIOR}
    moved = kefu.store.tickets.get(t.id)
    assert moved.tier == "A" and moved.agent_id == OTHER_SENIOR and moved.owner == "agent"
    notices = [o.text for o in outs if o.audience == "staff" and o.kind == "text"]
    assert any("升级 B→A · 转给 小赵 · 请 老李 关注" in n for n in notices)
    assert [o.kind for o in outs if o.kind in ("card", "title")] == ["card", "title"]
    assert any("小赵" in o.text for o in outs if o.audience == "user")


def test_an_agent_escalating_their_own_ticket_hands_it_to_another_senior(
        kefu: Kefu) -> None:
    roster(kefu)
    t = open_(kefu, 42)
    agent(kefu, OTHER_SENIOR, "claim", t.id)
    agent(kefu, OTHER_SENIOR, "escalate", t.id)
    assert kefu.store.tickets.get(t.id).agent_id == SENIOR
    assert escalated(kefu, t.id)[0]["to"] == SENIOR


def test_with_no_other_senior_free_the_ticket_stays_and_supervisors_are_named(
        kefu: Kefu) -> None:
    assert agent(kefu, SENIOR, "duty", text="on").ok
    assert agent(kefu, SUPERVISOR, "duty", text="on").ok
    t = open_(kefu, 42)
    agent(kefu, SENIOR, "claim", t.id)
    result = agent(kefu, SENIOR, "escalate", t.id)
    assert kefu.store.tickets.get(t.id).agent_id == SENIOR and "to" not in escalated(kefu, t.id)[0]
    [notice] = [o.text for o in result.outs if o.audience == "staff" and o.kind == "text"]
    assert notice == "⬆️ 小王 升级了 #T1001 · 升级 B→A · 请 老李 关注"
    [buyer] = [o.text for o in result.outs if o.audience == "user"]
    assert "已升级给主管优先处理" in buyer


def test_a_ticket_a_senior_on_duty_has_stays_with_them(kefu: Kefu) -> None:
    roster(kefu)
    t = open_(kefu, 42)
    agent(kefu, OTHER_SENIOR, "claim", t.id)
    agent(kefu, SUPERVISOR, "escalate", t.id)
    assert kefu.store.tickets.get(t.id).agent_id == OTHER_SENIOR


def test_a_senior_who_owes_a_first_reply_is_passed_over(kefu: Kefu) -> None:
    roster(kefu)
    waiting = open_(kefu, 8)
    agent(kefu, OTHER_SENIOR, "claim", waiting.id)  # 小赵 has a buyer waiting for a reply
    t = open_(kefu, 42)
    agent(kefu, SUPERVISOR, "escalate", t.id)
    assert kefu.store.tickets.get(t.id).agent_id == SENIOR


def test_off_duty_seniors_are_never_picked(kefu: Kefu) -> None:
    t = open_(kefu, 42)
    assert escalation.pick_senior(kefu, t) is None
    assert agent(kefu, SENIOR, "duty", text="on").ok
    assert escalation.pick_senior(kefu, t).id == SENIOR  # type: ignore[union-attr]
    assert escalation.pick_senior(kefu, t, exclude={SENIOR}) is None


def test_s_stays_s_and_the_title_changes_only_when_it_shows_something_new(
        kefu: Kefu) -> None:
    assert agent(kefu, SUPERVISOR, "duty", text="on").ok
    t = open_(kefu, 42)
    titles = []
    for _ in range(3):
        outs = agent(kefu, SUPERVISOR, "escalate", t.id).outs
        titles.append([o.text for o in outs if o.kind == "title"])
    assert [(e["was"], e["tier"]) for e in escalated(kefu, t.id)] == \
        [("B", "A"), ("A", "S"), ("S", "S")]
    assert titles == [["🟠 #T1001 A 转人工"], ["🟣 #T1001 S 转人工"], []]  # S is 🟣 (issue 16)
