"""The terminal adapter: rendering and the agent desk (end to end: tests/e2e/test_console.py)."""

from __future__ import annotations

from collections.abc import Callable

from bot.kefu import Kefu
from bot.records import Choice, Outgoing
from handlers.console import Desk, render
from tests.fixtures_core import Buyer
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    ORDER,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
)


def test_a_title_change_is_one_line_on_the_agent_desk() -> None:
    out = Outgoing("staff", "🔴 #T1001 A 卡密未到账", ticket_id=1, kind="title")
    assert render(out) == "标题改为: 🔴 #T1001 A 卡密未到账"


def test_choices_are_numbered() -> None:
    out = Outgoing("user", "选一个:", user_id=42, choices=(Choice("补发", "demand:补发"),
                                                          Choice("退款", "demand:退款")))
    assert render(out) == "选一个:\n  [1] 补发  [2] 退款"


def test_approve_on_the_agent_desk_approves_a_waiting_refund(
        make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, status="充值失败", delivered_at=None, code_ref="")
    Buyer(k, BUYER).says(f"充值失败了 {ORDER}")
    said: list[str] = []
    desk = Desk(k, 501, said.append)
    desk.run("/show T1001")
    desk.run("/approve")
    assert said[-1] == "已批准 #T1001 的退款"
    desk.run("/approve")
    assert "没有待批准的退款" in said[-1]  # one tap only


def test_a_new_desk_session_selects_the_agents_own_ticket_on_claim(kefu: Kefu) -> None:
    Buyer(kefu).says("付了钱卡密没到 KM202411221530123456 补发")
    said: list[str] = []
    Desk(kefu, 501, said.append).run("/claim T1001")
    later = Desk(kefu, 501, said.append)  # the agent opens the console again
    later.run("/claim T1001")
    later.run("您好, 正在核实")
    assert said[-2:] == ["#T1001 已是你的, 已选中", "已发送给买家 (#T1001)"]
    assert said[0] == "已认领 #T1001, 已选中"


def test_a_desk_keeps_its_ticket_when_a_claim_fails(kefu: Kefu) -> None:
    Buyer(kefu).says("付了钱卡密没到 KM202411221530123456 补发")
    Buyer(kefu, 43).says("充值失败了 KM202411221530654321 退款")
    said: list[str] = []
    Desk(kefu, 502, said.append).run("/claim T1002")
    desk = Desk(kefu, 501, said.append)
    desk.run("/claim T1001")
    desk.run("/claim T1002")  # 老李's: refused, and T1001 stays selected
    assert said[-1] == "#T1002 已被 老李 认领。"
    desk.run("您好, 正在核实")
    assert said[-1] == "已发送给买家 (#T1001)"


def test_no_closed_stage_is_said_with_a_doubled_yi(kefu: Kefu) -> None:
    Buyer(kefu).says("付了钱卡密没到 KM202411221530123456 补发")
    said: list[str] = []
    desk = Desk(kefu, 501, said.append)
    for line in ("/claim T1001", "/resolve", "/claim T1001", "/resolve", "/stage 处理",
                 "/escalate", "还在吗"):
        desk.run(line)
    assert not any("已已" in s for s in said)
    assert "#T1001 已解决, 无需认领。" in said


def test_a_cards_buttons_show_as_desk_commands_not_numbers(kefu: Kefu) -> None:
    Buyer(kefu).says("付了钱卡密没到 KM202411221530123456 补发")
    [card] = [o for o in kefu.store.outbox.pending("staff", None) if o.kind == "card"]
    shown = render(card).splitlines()[-1]
    assert "认领 /claim" in shown and "核实中 /stage 核实" in shown and "已解决 /resolve" in shown
    assert "[1]" not in shown
