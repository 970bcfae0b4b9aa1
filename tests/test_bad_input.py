"""Bad input through the core: hypothesis throws junk at kefu, which must answer and hold.

Invariants, for every generated event: no exception; each buyer event gets at least one
reply a buyer can read (non-empty, Chinese); staff messages fit Telegram's length limit and
buttons its data limit; records of other buyers are not touched. One kefu (one real SQLite
file) serves all examples of a test, each example under a fresh user id. The example counts
add up to over 10,000 inputs (KEFU_FUZZ_SCALE scales them).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import replies
from bot.events import AgentAct, ButtonPressed, BuyerBurst, BuyerCommand, BuyerEvent, BuyerSaid
from bot.kefu import Kefu
from bot.records import Outgoing
from tests.fixtures_core import Buyer, act, agent, say

ORDER = "KM202411221530123456"
VICTIM = 1  # a buyer with a resolved ticket (T1001) and an open one (T1002)
AGENT = 501
TELEGRAM_TEXT_LIMIT = 4096  # UTF-16 code units
TELEGRAM_DATA_LIMIT = 64  # bytes of callback_data
CJK = re.compile(r"[\u4e00-\u9fff]")
COUNTS: dict[str, int] = {}  # inputs run per test, printed with -s for the report

FRAGMENTS = [
    "\u202e", "\u202b", "\u200f", "\u200e", "\u2066", "\u200b", "\u200c", "\u200d", "\ufeff",
    "\u00ad", "\u0000", "\u0007", "\x1b[31m", "\r\n", "\t", "\u2028", "\u3000", " ",
    "👨‍👩‍👧‍👦", "🇨🇳", "👍🏽", "🏳️‍🌈", "🧑🏻‍💻", "❤️", "0️⃣", "e\u0301", "Z̷̢͉a̴l̵g̶o̸",
    "'; DROP TABLE tickets; --", "\" OR 1=1 --", "%'", "\\", "NULL", "?", "(SELECT 1)",
    "<script>alert(1)</script>", "<b>", "</i>", "&amp;", "&lt;", "<a href='x'>",
    "*bold*", "_it_", "`code`", "```", "[x](http://evil.example)", "~~", "||spoiler||",
    "\\*", "#", ">quote", "{business_hours}", "{order}", "%s", "{}", "{0}",
    ORDER, "KM2024 1122 1530 123456", "２０２４１１２２０００１２３４５６７", "202411220001234567",
    "卡密没收到", "卡米", "付了钱卡密没到", "冲值失败", "退款", "转人工", "人工", "取消", "算了",
    "补发", "查询", "其他", "还没好吗", "??", "急", "你好", "谢谢", "又不行了", "没有订单号",
    "1", "2", "3", "0", "99", "①", "²", "٣", "５", "-1", "9" * 30, "T1001", "#T1002",
    "/status", "/start", "rate:1:5", "reopen:1", "withdraw:2",
]
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25)
    .map("".join),
    st.text(st.characters(categories=["Cc", "Cf", "Co", "Zs", "Zl", "Zp", "Mn", "Me", "So"]),
            max_size=200),
    st.builds(lambda chunk, n: (chunk * (n // len(chunk) + 1))[:n],
              st.text(min_size=1, max_size=40), st.integers(1000, 10_000)),
)
NAMES = st.one_of(st.just(""), st.text(max_size=64), st.sampled_from(FRAGMENTS))
BUTTON_KINDS = ["rate", "reopen", "withdraw", "newissue", "fb", "human", "pick", "issue",
                "no_order", "demand", "cancel", "status", "edit", "claim", "resolve", "stage"]
ARGS = st.one_of(st.sampled_from(["1", "2", "3", "1:5", "2:1", "1:0", "1:6", "yes", "no", "",
                                  "done", "order_no", "补发", "card_not_received", "contact_human",
                                  "none", "¹", "①", "-1", "9" * 25, "1:5:5", " 1"]),
                 st.text(max_size=30))
BUTTON_DATA = st.one_of(st.text(max_size=80),
                        st.builds(lambda k, a: f"{k}:{a}", st.sampled_from(BUTTON_KINDS), ARGS),
                        st.sampled_from(BUTTON_KINDS))
COMMANDS = st.one_of(st.sampled_from(["start", "help", "status", "cancel", "human", "queue",
                                      "block", "claim", "resolve", ""]), st.text(max_size=40))
KINDS = st.one_of(st.sampled_from(["text"] * 6 + ["photo", "document", "sticker", "voice",
                                                  "location", "other"]), st.text(max_size=10))
# Fixed seed: CI runs the same inputs each time, so a failure is never a fluke of the draw.
BASE = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
SCALE = float(os.environ.get("KEFU_FUZZ_SCALE", "1"))  # e.g. 0.05 while editing, 10 overnight


def examples(n: int) -> settings:
    """The shared settings with this test's share of the 10,000+ inputs."""
    return settings(BASE, max_examples=max(1, int(n * SCALE)))


def count(test: str) -> None:
    COUNTS[test] = COUNTS.get(test, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    print(f"\nbad input: {sum(COUNTS.values())} inputs run {COUNTS}")


@pytest.fixture
def users() -> Iterator[int]:
    """Fresh buyer ids: every example is a buyer kefu has never seen."""
    return itertools.count(10_000)


@pytest.fixture
def shop(kefu: Kefu) -> Kefu:
    """The victim's tickets: T1001 resolved (rate/reopen bait), T1002 open (withdraw bait)."""
    victim = Buyer(kefu, VICTIM, "受害者")
    victim.says(f"付了钱卡密没到 订单号:{ORDER} 帮我补发")
    agent(kefu, AGENT, "resolve", 1)
    victim.says("账号被盗了 订单号 KM202411221530999999")
    assert [t["stage"] for t in rows(kefu, "tickets")] == ["已解决", "受理"]
    return kefu


def rows(k: Kefu, table: str, where: str = "1") -> list[dict[str, Any]]:
    return list(k.store.db.query(f"SELECT * FROM {table} WHERE {where} ORDER BY rowid"))


def victim_records(k: Kefu) -> list[list[dict[str, Any]]]:
    """Everything about the victim that another buyer must never change."""
    return [rows(k, "tickets", f"user_id = {VICTIM}"),
            rows(k, "ticket_events", f"ticket_id IN (SELECT id FROM tickets WHERE user_id = "
                                     f"{VICTIM}) AND event != 'related_message'"),
            rows(k, "conversations", f"user_id = {VICTIM}"), rows(k, "users", f"id = {VICTIM}")]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_sendable(outs: list[Outgoing]) -> None:
    """Telegram would accept every message: text present, valid buttons, and staff messages
    short enough (the adapter splits long buyer messages; staff ones are cut in the core)."""
    for out in outs:
        assert out.text.strip() or out.file_id, out
        if out.audience == "staff":
            assert utf16_len(out.text) <= TELEGRAM_TEXT_LIMIT, utf16_len(out.text)
        for choice in out.choices:
            assert choice.label.strip()
            assert 0 < len(choice.data.encode()) <= TELEGRAM_DATA_LIMIT, choice


def check_answered(outs: list[Outgoing], user_id: int) -> None:
    """At least one reply to this buyer, each in Chinese; no message to anyone else."""
    mine = [o for o in outs if o.audience == "user"]
    assert mine, "the buyer got no reply"
    assert all(o.user_id == user_id for o in mine)
    assert all(CJK.search(o.text) for o in mine), [o.text for o in mine]
    check_sendable(outs)


def opened_tickets(k: Kefu, user_id: int) -> int:
    return len(rows(k, "tickets", f"user_id = {user_id}"))


@examples(3000)
@given(text=TEXTS, name=NAMES, kind=KINDS, file_id=st.one_of(st.none(), st.text(max_size=80)))
def test_any_message_gets_a_chinese_reply_and_leaves_others_alone(
        shop: Kefu, users: Iterator[int], text: str, name: str, kind: str,
        file_id: str | None) -> None:
    before = victim_records(shop)
    uid = next(users)
    outs = say(shop, BuyerSaid(uid, text, name, kind, file_id))
    count("message")
    check_answered(outs, uid)
    assert victim_records(shop) == before


_SAID = st.builds(BuyerSaid, st.just(0), TEXTS, NAMES, KINDS)
# Built once with user 0 (building strategies per draw is slow); `as_user` sets the buyer.
EVENTS = st.one_of(
    _SAID, _SAID, _SAID,
    st.builds(ButtonPressed, st.just(0), BUTTON_DATA),
    st.builds(BuyerCommand, st.just(0), COMMANDS, st.text(max_size=60)),
    st.lists(st.builds(BuyerSaid, st.just(0), TEXTS, st.just(""),
                       st.sampled_from(["text", "photo", "document"]),
                       st.text(min_size=1, max_size=20)), min_size=2, max_size=4)
    .map(lambda parts: BuyerBurst(tuple(parts))),
)


def as_user(event: BuyerEvent, uid: int) -> BuyerEvent:
    if isinstance(event, BuyerBurst):
        return BuyerBurst(tuple(replace(part, user_id=uid) for part in event.events))
    return replace(event, user_id=uid)


@examples(1300)
@given(data=st.data())
def test_a_conversation_of_junk_and_real_choices_never_breaks(
        shop: Kefu, users: Iterator[int], data: st.DataObject) -> None:
    before = victim_records(shop)
    uid = next(users)
    offered: list[str] = []
    for _ in range(data.draw(st.integers(1, 6), label="turns")):
        # Draw the same shape whatever kefu offered: choices drawn from kefu's own replies
        # would make generation depend on the database, which Hypothesis rejects as flaky.
        press = data.draw(st.booleans(), label="press an offered choice")
        pick = data.draw(st.integers(0, 7), label="which choice")
        event_drawn = as_user(data.draw(EVENTS, label="event"), uid)
        event: BuyerEvent = (ButtonPressed(uid, offered[pick % len(offered)])
                             if press and offered else event_drawn)
        outs = say(shop, event)
        count("conversation")
        check_answered(outs, uid)
        offered = [c.data for o in outs if o.audience == "user" for c in o.choices]
    assert victim_records(shop) == before


@examples(2000)
@given(data=BUTTON_DATA)
def test_forged_buttons_change_nothing(shop: Kefu, users: Iterator[int], data: str) -> None:
    before, everything = victim_records(shop), rows(shop, "tickets")
    uid = next(users)
    outs = say(shop, ButtonPressed(uid, data))
    count("button")
    check_answered(outs, uid)
    assert victim_records(shop) == before
    assert rows(shop, "tickets") == everything  # a button alone never opens a ticket


@examples(1500)
@given(command=COMMANDS, args=st.one_of(TEXTS, st.sampled_from(["T1001", "T1002", "1", "2"])))
def test_commands_with_junk_arguments_are_answered(shop: Kefu, users: Iterator[int],
                                                   command: str, args: str) -> None:
    before = victim_records(shop)
    uid = next(users)
    outs = say(shop, BuyerCommand(uid, command, args))
    count("command")
    check_answered(outs, uid)
    assert victim_records(shop) == before
    assert opened_tickets(shop, uid) == 0
    assert ORDER not in "".join(o.text for o in outs)  # nothing of the victim's leaks


STAFF_WORDS = st.one_of(st.sampled_from(["T1001", "T1002", "1", "42", "99", "#T1", "支付宝",
                                         "微信", "on", "off", "核实", "处理", "30", "0", "-5", "²",
                                         "①", "9" * 30, "9" * 5000, "", "1e3", "NaN"]),
                        st.text(max_size=8))
STAFF_ACTIONS = ["claim", "reply", "note", "stage", "resolve", "escalate", "show", "duty",
                 "queue", "notice", "notice_end", "block", "unblock"]


@examples(2500)
@given(agent_id=st.one_of(st.sampled_from([AGENT, 502]), st.integers(-2**53, 2**53)),
       action=st.one_of(st.sampled_from(STAFF_ACTIONS), st.text(max_size=20)),
       ticket_id=st.one_of(st.none(), st.sampled_from([1, 2, 3, 0, -1]),
                           st.integers(-2**70, 2**70)),
       text=st.one_of(TEXTS, st.builds(lambda *words: " ".join(words), STAFF_WORDS, STAFF_WORDS,
                                       TEXTS)))
def test_staff_actions_with_junk_never_raise(shop: Kefu, agent_id: int, action: str,
                                             ticket_id: int | None, text: str) -> None:
    before = victim_records(shop)
    result = act(shop, AgentAct(agent_id, action, ticket_id, text))
    count("staff")
    assert result.note.strip()
    check_sendable(result.outs)
    if agent_id not in (AGENT, 502) or action not in STAFF_ACTIONS:
        assert not result.ok and victim_records(shop) == before


# Named cases ---------------------------------------------------------------------------------

def test_odd_digits_typed_as_a_choice_do_not_break_and_full_width_still_picks(kefu: Kefu
                                                                            ) -> None:
    for uid, typed in enumerate(("①", "²", "٣", "9" * 5000), 10):
        buyer = Buyer(kefu, uid)
        buyer.says("退款")
        buyer.says(typed)
        check_answered(buyer.last, uid)
    buyer = Buyer(kefu, 7)
    buyer.says("退款")
    assert buyer.choices()[1] == "退款进度"
    assert "1-3 个工作日" in buyer.says("２")  # a full-width 2 picks the second choice


def test_forged_button_numbers_find_no_ticket(shop: Kefu) -> None:
    before = victim_records(shop)
    for data in ("rate:¹:5", "rate:1" + "0" * 30 + ":5", "reopen:①", "reopen:1" + "0" * 30,
                 "withdraw:2" + "0" * 20):
        [reply] = say(shop, ButtonPressed(99, data))
        # (a second identical refusal in a row carries a note that nothing changed)
        assert reply.text.split("\n(")[0] in (replies.NOT_YOURS, replies.STALE_BUTTON,
                                              replies.REOPEN_TOO_LATE.format(days=7))
    assert not act(shop, AgentAct(AGENT, "claim", 10**30)).ok
    assert victim_records(shop) == before


def test_a_replayed_update_is_handled_once(kefu: Kefu) -> None:
    event = BuyerSaid(7, "卡密怎么用", "小张", event_id="tg:5")
    assert say(kefu, event)
    assert say(kefu, event) == []
    assert len(rows(kefu, "messages", "user_id = 7 AND direction = 'in'")) == 1


def test_pressing_a_rating_or_withdraw_button_again_changes_nothing(shop: Kefu) -> None:
    victim = Buyer(shop, VICTIM)
    assert "谢谢你的评价" in victim.presses("rate:1:2")
    assert "已经评价过了" in victim.presses("rate:1:5")
    assert json.loads(rows(shop, "tickets", "id = 1")[0]["details"])["rating"] == 2
    victim.command("cancel")
    assert "已撤销" in victim.presses("withdraw:2")
    events = rows(shop, "ticket_events", "ticket_id = 2")
    assert "过期" in victim.presses("withdraw:2")
    assert rows(shop, "ticket_events", "ticket_id = 2") == events


def test_a_huge_message_reaches_staff_cut_and_stays_whole_in_the_transcript(shop: Kefu) -> None:
    words = "急" * 10_000
    outs = say(shop, BuyerSaid(VICTIM, words))
    [staff] = [o for o in outs if o.audience == "staff"]
    assert utf16_len(staff.text) == TELEGRAM_TEXT_LIMIT and staff.text.endswith("已截断)")
    kept = rows(shop, "messages", f"user_id = {VICTIM} AND direction = 'in'")[-1]["text"]
    assert kept == words


def test_sql_and_markup_are_kept_as_typed(shop: Kefu) -> None:
    text = "'; DROP TABLE tickets; -- <b>加急</b> *马上* [点我](http://evil.example) &amp;"
    outs = say(shop, BuyerSaid(VICTIM, text))
    assert any(o.text == f"买家补充: {text}" for o in outs if o.audience == "staff")
    assert rows(shop, "messages", "direction = 'in'")[-1]["text"] == text
    assert len(rows(shop, "tickets")) == 2


def test_telegram_messages_go_out_as_plain_text_with_markup_as_typed(shop: Kefu) -> None:
    from tests.telegram_offline import STAFF_CHAT, offline_app

    buyer = Buyer(shop, 7)
    buyer.says("付了钱卡密没到")
    with offline_app(shop) as tg:
        tg.message(7, "<b>12345678</b> *x*")  # not an order number: kefu quotes it back
        tg.message(VICTIM, "<i>急</i> [点我](http://evil.example) _快_")
        tg.deliver()
        sent = tg.request.sent()
    assert sent and all("parse_mode" not in params for params in sent)
    assert "entities" not in str(sent)
    texts = {(p["chat_id"], p["text"]) for p in sent}
    assert any(chat == 7 and "「<b>12345678</b> *x*」" in text for chat, text in texts)
    assert (STAFF_CHAT, "买家补充: <i>急</i> [点我](http://evil.example) _快_") in texts
    assert tg.app.bot.defaults is None  # no default parse mode either


def test_edits_groups_and_channels_at_the_telegram_edge(kefu: Kefu,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    from tests.telegram_offline import offline_app

    with offline_app(kefu) as tg:
        tg.message(7, "卡密怎么用")
        tg.message(7, "卡密在哪里兑换", kind="edited_message")  # read as a new message
        tg.message(7, "卡密怎么用", chat_id=-100999, chat_type="supergroup")
        tg.message(7, "卡密怎么用", chat_id=-100999, chat_type="group", kind="edited_message")
        tg.channel_post(-100555, "卡密怎么用")
        tg.channel_post(-100555, "卡密怎么用 改", kind="edited_channel_post")
        tg.press(7, "status", chat_id=-100999, chat_type="supergroup")
    answered = [o.text for o in kefu.store.outbox.pending("user")]
    assert len(answered) == 2 and all("兑换" in text for text in answered)
    assert {o.user_id for o in kefu.store.outbox.pending("user")} == {7}
    assert rows(kefu, "users") == rows(kefu, "users", "id = 7")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("text", ["/", "/status@kefu_bot", "/STATUS", "/start 1 2 3",
                                  "/status\nT1001", "/human@other_bot junk", "/ｓｔａｒｔ"])
def test_commands_with_junk_at_the_telegram_edge_are_answered(kefu: Kefu, text: str) -> None:
    from tests.telegram_offline import offline_app

    with offline_app(kefu) as tg:
        tg.message(7, text)
    answered = kefu.store.outbox.pending("user")
    assert answered and all(CJK.search(reply.text) for reply in answered)


def test_the_console_survives_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    typed = (b"\xff\xfe\n" + "卡密没收到".encode("gbk") + b"\n\xed\xa0\x80\n"
             + "你好\n".encode())
    done = subprocess.run([sys.executable, "-m", "tools.cli", "console", "--db",
                           str(tmp_path / "kefu.db")], input=typed, capture_output=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=120,
                          env={**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"})
    output = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert output.count("客服助手:") >= 4  # the greeting and one reply a line
