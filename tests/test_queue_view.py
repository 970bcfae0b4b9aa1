"""/queue (issue 16): names not ids, what 剩 counts to, filters, pages under 4,096."""

from __future__ import annotations

from datetime import timedelta

from bot.kefu import Kefu
from bot.outbox import TEXT_LIMIT, utf16_units
from bot.queue_view import parse
from tests.fixtures_core import FakeClock, agent
from tests.telegram_offline import STAFF_CHAT, offline_app
from tests.test_sla import SENIOR, SUPERVISOR, on_duty, open_


def test_queue_names_owners_and_says_what_is_left_to_what(kefu: Kefu) -> None:
    on_duty(kefu, SENIOR)
    t = open_(kefu, "card_not_received")
    assert agent(kefu, SENIOR, "claim", t.id).ok
    text = agent(kefu, SENIOR, "queue").note
    assert "小王" in text and f"@{SENIOR}" not in text
    assert "承诺 剩" in text and "SLA 剩" in text and "承诺 = 答应买家" in text


def test_filters_mine_unclaimed_breached(kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR, SUPERVISOR)
    mine, other = open_(kefu, "card_not_received", 41), open_(kefu, "contact_human", 42)
    assert agent(kefu, SENIOR, "claim", mine.id).ok
    assert "#T1001" in agent(kefu, SENIOR, "queue", text="mine").note
    assert "#T1002" not in agent(kefu, SENIOR, "queue", text="mine").note
    assert "#T1001" not in agent(kefu, SENIOR, "queue", text="unclaimed").note
    assert "为空" in agent(kefu, SENIOR, "queue", text="breached").note
    kefu.store.tickets.update(other.id, clock.now, breached_at=clock.now)
    assert "#T1002" in agent(kefu, SENIOR, "queue", text="breached").note
    assert not agent(kefu, SENIOR, "queue", text="everything").ok


def test_a_long_queue_comes_in_pages_that_fit_one_message(kefu: Kefu, clock: FakeClock) -> None:
    on_duty(kefu, SENIOR)
    for n in range(130):
        open_(kefu, "card_not_received", 1000 + n)
    clock.advance(seconds=30)
    first = agent(kefu, SENIOR, "queue").note
    assert utf16_units(first) <= TEXT_LIMIT and "待处理 130 单" in first
    assert "第 1/" in first and "/queue 2 下一页" in first
    last_page = int(first.rsplit("第 1/", 1)[1].split(" ", 1)[0])
    last = agent(kefu, SENIOR, "queue", text=str(last_page)).note
    assert utf16_units(last) <= TEXT_LIMIT and "#T1130" in last
    assert parse("unclaimed 2") is not None and parse("unclaimed 2").page == 2  # type: ignore


def test_seconds_left_read_less_than_a_minute(kefu: Kefu, clock: FakeClock) -> None:
    t = open_(kefu, "card_not_received")
    kefu.store.tickets.update(t.id, clock.now, promised_at=clock.now + timedelta(seconds=12))
    assert "承诺 不到 1 分钟" in agent(kefu, SUPERVISOR, "queue").note


def test_a_long_staff_reply_reaches_telegram_in_pieces_that_fit(kefu: Kefu) -> None:
    on_duty(kefu, SENIOR)
    for n in range(130):
        open_(kefu, "card_not_received", 1000 + n)
    long = "\n".join(f"第{n:03d}行 " + "很长的说明" * 20 for n in range(60))
    with kefu.store.transaction():  # a card far over 4,096 characters, as /show returns
        kefu.store.tickets.update(1, kefu.now(), details={"issue": long})
        kefu.store.staff_threads.save(1, STAFF_CHAT, 77, None)
    with offline_app(kefu) as tg:
        tg.message(SENIOR, "/queue", chat_id=STAFF_CHAT, chat_type="supergroup")
        tg.message(SENIOR, "/show", chat_id=STAFF_CHAT, chat_type="supergroup",
                   is_topic_message=True, message_thread_id=77)
        said = [p["text"] for p in tg.request.sent("sendMessage")]
    assert said and all(utf16_units(s) <= TEXT_LIMIT for s in said)
    assert said[0].startswith("待处理 130 单") and any("#T1001" in s for s in said[1:])
