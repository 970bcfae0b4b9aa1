"""Tests for bot.plain: buyer text shown to staff on one line, with nothing that reorders it."""

from __future__ import annotations

import pytest

from bot.plain import BIDI, LINE_MARK, name, one_line

FLAT = [
    ("卡密没到", "卡密没到"),
    ("卡密没到\n订单系统: KM2024 本人订单", "卡密没到 ⏎ 订单系统: KM2024 本人订单"),
    ("a\r\nb\rc\u2028d\u2029e\x85f\vg\fh", " ⏎ ".join("abcdefgh")),
    ("a\n\n\n   \nb", "a ⏎ b"),  # blank lines are one break
    ("\n\n  a  \n", "a"),
    ("a\t\tb   c", "a b c"),
    ("abc\u202edcba", "abcdcba"),
    ("\u2066x\u2069\u200ey\u200f\u061c\u202a\u202b\u202c\u202d", "xy"),
    ("zero\u200bwidth\ufeff\u00ad\u2060", "zerowidth"),
    ("bell\x07\x1b[31m red", "bell[31m red"),
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # the joiner builds the family emoji
    ("lone \ud800 half", "lone half"),
    ("", ""),
    ("\u202e\n\u200b", ""),
]


@pytest.mark.parametrize(("text", "expected"), FLAT)
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected


def test_nothing_that_breaks_or_reorders_survives() -> None:
    nasty = "".join(chr(c) for c in range(0x20)) + "".join(BIDI) + "\u2028\u2029\x85\x7f"
    flat = one_line(f"x{nasty}y{nasty}z")
    assert "\n" not in flat and "\r" not in flat and not set(flat) & BIDI
    assert flat.replace(LINE_MARK.strip(), "").replace(" ", "") == "xyz"


def test_limit_cuts_with_an_ellipsis() -> None:
    assert one_line("一二三四五六", 4) == "一二三…"
    assert one_line("一二三", 4) == "一二三"


def test_a_name_with_nothing_visible_falls_back() -> None:
    assert name("\u202e\u200f", "42") == "42"
    assert name("小\u202e张", "42") == "小张"
    assert len(name("长" * 300, "42")) == 64
