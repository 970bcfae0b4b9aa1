"""Telegram message texts: what one message carries (a turn's texts joined, buttons last,
within Telegram's limit) and how a long one is cut."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.outbox import TEXT_LIMIT, utf16_units
from bot.records import Choice, Outgoing
from handlers.telegram_texts import coalesce, joined, split_text

TURN = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NEXT_TURN = TURN + timedelta(seconds=3)
PICK = (Choice("补发", "demand:补发"), Choice("退款", "demand:退款"))


def buyer(text: str, at: datetime = TURN, **extra: object) -> Outgoing:
    return Outgoing("user", text, user_id=42, at=at, **extra)  # type: ignore[arg-type]


def texts(outs: list[Outgoing]) -> list[str]:
    return [joined(group).text for group in coalesce(outs)]


def test_an_answer_and_the_question_after_it_are_one_message() -> None:
    outs = [buyer("卡密一般 1 分钟内到。", id=1), buyer("请发一下订单号:", id=2, choices=PICK)]
    [group] = coalesce(outs)
    assert [o.id for o in group] == [1, 2]  # both are noted delivered with the one send
    message = joined(group)
    assert message.text == "卡密一般 1 分钟内到。\n\n请发一下订单号:"
    assert message.choices == PICK  # the buttons of the last, under the whole message


def test_turns_stay_apart() -> None:
    assert texts([buyer("你好"), buyer("卡密怎么用", NEXT_TURN)]) == ["你好", "卡密怎么用"]


def test_buttons_end_a_message() -> None:
    outs = [buyer("选一个:", choices=PICK), buyer("或者直接说")]
    assert texts(outs) == ["选一个:", "或者直接说"]  # else the buttons would sit mid-way


def test_files_staff_messages_and_unqueued_messages_go_alone() -> None:
    photo = buyer("截图", kind="photo", file_id="F1")
    staff = Outgoing("staff", "买家补充", ticket_id=7, at=TURN)
    unqueued = Outgoing("user", "?", user_id=42)  # no queue time: nothing to tie it to a turn
    outs = [buyer("a"), photo, buyer("b"), staff, buyer("c"), unqueued, buyer("d")]
    assert [len(g) for g in coalesce(outs)] == [1, 1, 1, 1, 1, 1, 1]


def test_a_message_never_grows_past_telegrams_limit() -> None:
    half = "卡" * (TEXT_LIMIT // 2)
    assert texts([buyer(half), buyer(half)]) == [half, half]  # 2 + 2048 * 2 > 4096
    emoji = "🙂" * (TEXT_LIMIT // 4)  # two UTF-16 units each: 2048 units
    assert texts([buyer(emoji), buyer("好")]) == [emoji + "\n\n好"]
    assert len(texts([buyer(emoji), buyer(emoji)])) == 2


def test_a_long_reply_is_cut_where_telegram_counts_not_where_python_does() -> None:
    emoji = "好🙂" * 3000  # 6000 characters, 9000 UTF-16 units
    pieces = split_text(emoji)
    assert all(utf16_units(piece) <= TEXT_LIMIT for piece in pieces)
    assert "".join(pieces) == emoji and len(pieces) == 3
    lines = "\n".join(f"第{n:04d}行 核对记录" for n in range(600))  # cut at a line break
    pieces = split_text(lines)
    assert all(utf16_units(p) <= TEXT_LIMIT and p.startswith("第") for p in pieces)
    assert "\n".join(pieces) == lines
    assert split_text("你好") == ["你好"]
