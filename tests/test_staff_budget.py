"""Issue 16: the staff group's budget. Card edits and titles waiting for one thread go as
one; an action the card shows posts nothing else; the SLA agrees with the buyer's promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import cards, tickets
from bot.kefu import Kefu
from bot.outbox import to_staff
from bot.records import Outgoing
from handlers.telegram_staff_batch import HOLD, MAX_HOLD, collapse, hold_for
from tests.fixtures_core import FakeClock, agent, tick
from tests.test_sla import SENIOR, SUPERVISOR, on_duty, open_, texts

T0 = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


def at(out: Outgoing, seconds: float) -> Outgoing:
    return Outgoing(out.audience, out.text, ticket_id=out.ticket_id, kind=out.kind,
                    at=T0 + timedelta(seconds=seconds))


def test_waiting_cards_titles_and_topic_changes_collapse_to_the_latest() -> None:
    outs = [at(to_staff(1, "card v1", "card"), 0), at(to_staff(1, "买家补充: 在吗"), 1),
            at(to_staff(1, "card v2", "card"), 2), at(to_staff(1, "🟠 #T1001 A x", "title"), 2),
            at(to_staff(1, "close", "topic"), 3), at(to_staff(1, "✅ #T1001 A x", "title"), 3),
            at(to_staff(1, "card v3", "card"), 3)]
    groups = collapse(outs)
    assert [g[-1].text for g in groups] == ["card v3", "买家补充: 在吗", "✅ #T1001 A x", "close"]
    assert sum(len(g) for g in groups) == len(outs)  # the overtaken are noted with the sent


def test_only_edits_of_an_existing_card_wait_and_never_longer_than_max_hold() -> None:
    edit = [at(to_staff(1, "card", "card"), 0)]
    assert hold_for(edit, has_card=True, now=T0) == HOLD.total_seconds()
    assert hold_for(edit, has_card=False, now=T0) == 0  # a new thread's card goes at once
    assert hold_for([*edit, at(to_staff(1, "买家补充"), 0)], True, T0) == 0
    busy = [at(to_staff(1, "card", "card"), s) for s in (0, 2, 4, 5)]
    assert hold_for(busy, True, T0 + timedelta(seconds=5)) == \
        (MAX_HOLD - timedelta(seconds=5)).total_seconds()


def staff_kinds(outs: list[Outgoing]) -> list[str]:
    return [o.kind for o in outs if o.audience == "staff"]


def test_the_normal_path_posts_nothing_the_card_can_show(kefu: Kefu) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "card_not_received")
    claim = agent(kefu, SENIOR, "claim", t.id)
    assert staff_kinds(claim.outs) == ["card"]  # the card names the owner: one edit
    assert "负责人: 小王" in claim.outs[-1].text
    assert staff_kinds(agent(kefu, SENIOR, "reply", t.id, "在查").outs) == []
    assert staff_kinds(agent(kefu, SENIOR, "note", t.id, "查流水").outs) == []
    assert staff_kinds(agent(kefu, SENIOR, "stage", t.id, "处理").outs) == ["card"]
    done = agent(kefu, SENIOR, "resolve", t.id).outs
    assert staff_kinds(done) == ["card", "topic"]  # the closed topic (🔒) needs no rename
    card, topic = [o for o in done if o.audience == "staff"]
    assert not card.choices and "买家回复可重新打开" in card.text and "[已解决]" in card.text
    assert card.text.startswith("✅ #T1001") and topic.text == "close"


def test_escalating_renames_with_the_new_tier_mark(kefu: Kefu) -> None:
    on_duty(kefu, SUPERVISOR)
    t = open_(kefu, "card_not_received")  # A
    outs = agent(kefu, SUPERVISOR, "escalate", t.id).outs
    [title] = [o for o in outs if o.kind == "title"]
    assert title.text.startswith("🟣 #T1001 S")


def test_a_breach_before_the_promise_is_silent_to_the_buyer_and_the_card_not_missed(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR, SUPERVISOR)
    t = open_(kefu, "contact_human")  # B: 5 minutes
    kefu.store.tickets.update(t.id, clock.now, promised_at=clock.now + timedelta(minutes=30))
    clock.advance(minutes=6)
    outs = tick(kefu)
    assert any("首次回复已超时" in s for s in texts(outs, "staff")) and texts(outs, "user") == []
    [card] = [o for o in outs if o.kind == "card"]
    sla_line = next(line for line in card.text.splitlines() if "SLA" in line)
    assert "已超时" not in sla_line or "曾超时" in sla_line  # A's target lies ahead


def test_an_s_ticket_breaching_with_nobody_new_does_not_say_escalated(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SUPERVISOR)
    t = open_(kefu, "contact_human")
    kefu.store.tickets.update(t.id, clock.now, tier="S", agent_id=SENIOR,
                              promised_at=clock.now + timedelta(minutes=1))
    clock.advance(minutes=30)
    apologies = [s for _ in range(3) for s in texts(tick(kefu), "user")]
    assert apologies and not any("已升级" in s for s in apologies)


def test_the_sla_clock_stops_while_the_ticket_waits_for_the_buyer(
        kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "contact_human")  # B: resolved within 60 minutes
    assert agent(kefu, SENIOR, "reply", t.id, "请发一下截图").ok
    assert agent(kefu, SENIOR, "stage", t.id, "反馈").ok
    clock.advance(minutes=90)
    assert tick(kefu) == []
    card = tickets.staff_card(kefu, kefu.store.tickets.get(t.id), kefu.now())
    assert "暂停计时" in card.text
    assert agent(kefu, SENIOR, "stage", t.id, "处理").ok
    clock.advance(minutes=50)
    assert not any("已超时" in s for s in texts(tick(kefu), "staff"))
    clock.advance(minutes=15)
    assert any("解决已超时" in s for _ in range(2) for s in texts(tick(kefu), "staff"))


def test_less_than_a_minute_left_is_not_zero_minutes() -> None:
    assert cards.minutes_left(T0 + timedelta(seconds=12), T0) == "不到 1 分钟"
    assert cards.minutes_left(T0 + timedelta(minutes=3, seconds=5), T0) == "剩 3 分钟"
    assert cards.minutes_left(T0 - timedelta(minutes=2), T0) == "已超时 2 分钟"


def test_escalating_an_s_ticket_nobody_new_takes_does_not_tell_the_buyer_escalated(
        kefu: Kefu) -> None:
    on_duty(kefu, SUPERVISOR)
    t = open_(kefu, "card_not_received")
    kefu.store.tickets.update(t.id, kefu.now(), tier="S")
    told = texts(agent(kefu, SUPERVISOR, "escalate", t.id).outs, "user")
    assert told and not any("已升级" in s for s in told)
