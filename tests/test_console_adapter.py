"""The terminal adapter's rendering (the console end to end: tests/e2e/test_console.py)."""

from __future__ import annotations

from bot.records import Choice, Outgoing
from handlers.console import render


def test_a_title_change_is_one_line_on_the_agent_desk() -> None:
    out = Outgoing("staff", "🔴 #T1001 A 卡密未到账", ticket_id=1, kind="title")
    assert render(out) == "标题改为: 🔴 #T1001 A 卡密未到账"


def test_choices_are_numbered() -> None:
    out = Outgoing("user", "选一个:", user_id=42, choices=(Choice("补发", "demand:补发"),
                                                          Choice("退款", "demand:退款")))
    assert render(out) == "选一个:\n  [1] 补发  [2] 退款"
