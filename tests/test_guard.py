"""The abuse guard: a per-buyer flood limit, and /block and /unblock by staff."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import guard, replies, retention
from bot.events import AgentAct
from bot.kefu import Kefu
from handlers.console import Desk
from tests.fixtures_core import Buyer, FakeClock, act, agent

ORDER = "KM202411221530123456"
OPEN_TICKET = f"付了钱卡密没到 订单号:{ORDER} 帮我补发"


def rows(k: Kefu, table: str, where: str = "1") -> list[dict]:
    return list(k.store.db.query(f"SELECT * FROM {table} WHERE {where} ORDER BY rowid"))


def events(k: Kefu, user_id: int) -> list[tuple[str, str, dict]]:
    return [(e["actor"], e["event"], json.loads(e["data"])) for e in k.store.users.events(user_id)]


@pytest.mark.parametrize(("facts", "verdict"), [
    ({"blocked": False, "told_blocked": False, "recent": 20, "limit": 20, "warned": False},
     "pass"),
    ({"blocked": False, "told_blocked": False, "recent": 21, "limit": 20, "warned": False},
     "slow_down"),
    ({"blocked": False, "told_blocked": False, "recent": 50, "limit": 20, "warned": True},
     "quiet"),
    ({"blocked": False, "told_blocked": False, "recent": 500, "limit": 0, "warned": False},
     "pass"),
    ({"blocked": True, "told_blocked": False, "recent": 1, "limit": 20, "warned": False},
     "tell_blocked"),
    ({"blocked": True, "told_blocked": True, "recent": 1, "limit": 20, "warned": False},
     "quiet"),
])
def test_judge_decides_from_the_facts_alone(facts: dict, verdict: str) -> None:
    assert guard.judge(**facts) == verdict


def test_a_slowed_down_buyer_is_told_the_next_full_minute() -> None:
    assert guard.resume_time(datetime(2026, 1, 1, 6, 0, 0, tzinfo=UTC)).minute == 1
    assert guard.resume_time(datetime(2026, 1, 1, 6, 0, 1, tzinfo=UTC)).minute == 2


def test_a_flood_gets_one_polite_reply_and_opens_no_ticket(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    for _ in range(20):  # the limit itself is fine
        assert buyer.says("在吗")
    reply = buyer.says(OPEN_TICKET)
    assert reply == ("你发得有点快 🙏 为了不漏看你的问题, 我先暂停自动回复, 到 14:01 恢复。"
                     "暂停期间发的内容不会保存, 14:01 后把问题合成一条发给我就好。")
    assert buyer.says(OPEN_TICKET) == "" and buyer.presses("human") == ""
    assert buyer.command("status") == ""
    assert rows(kefu, "tickets") == []
    kept = rows(kefu, "messages", "direction = 'in'")
    assert len(kept) == 24  # every message counted...
    assert [m["text"] for m in kept[20:]] == [retention.HELD] * 4  # ...held ones without text
    assert {m["kind"] for m in kept[20:]} == {"text", "button", "command"}
    assert [e[1] for e in events(kefu, 42)] == ["flooded"]


def test_after_a_quiet_minute_the_buyer_is_answered_again(kefu: Kefu, clock: FakeClock) -> None:
    buyer = Buyer(kefu)
    for _ in range(22):
        buyer.says("在吗")
    clock.advance(seconds=61)
    assert "已受理" in buyer.says(OPEN_TICKET)


def test_a_flood_on_an_open_ticket_tells_its_staff_thread_once(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(OPEN_TICKET)
    staff = []
    for _ in range(25):
        buyer.says("快点")
        staff += [o.text for o in buyer.last if o.audience == "staff"]
    alerts = [text for text in staff if "暂停自动回复" in text]
    assert alerts == ["⚠️ 买家 小张 (id 42) 1 分钟内发了 21 条消息, "
                      "已暂停自动回复 (只记录条数, 不保存内容)。"
                      "如属恶意刷屏, 可在本话题发 /block 原因"]


def test_a_limit_of_zero_turns_the_flood_limit_off(config_file: Path,
                                                   make_kefu: Callable[..., Kefu]) -> None:
    config_file.write_text(config_file.read_text() + "guard: {flood_per_minute: 0}\n")
    buyer = Buyer(make_kefu())
    for _ in range(40):
        assert "你好" in buyer.says("你好")


def test_staff_block_a_ticket_number_and_the_buyer_hears_once(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(OPEN_TICKET)
    result = agent(kefu, 501, "block", None, "T1001 恶意刷屏")
    assert result.ok
    assert result.note == ("已屏蔽买家 小张 (id 42): 恶意刷屏。对方再发消息只会收到一次简短提示。"
                           "解除: /unblock 42")
    assert [o.text for o in result.outs] == ["⛔ 小王 屏蔽了买家 小张 (id 42): 恶意刷屏"]
    ticket = rows(kefu, "tickets")[0]
    assert buyer.says("为什么不理我") == replies.BLOCKED
    assert buyer.says("在吗") == "" and buyer.presses("status") == ""
    assert buyer.command("start") == "" and buyer.says("x" * 5000) == ""
    assert rows(kefu, "tickets") == [ticket]  # nothing joined, nothing changed
    held = rows(kefu, "messages", "direction = 'in'")[1:]
    assert len(held) == 5 and {m["text"] for m in held} == {retention.HELD}  # metadata only
    assert {m["meta"] for m in held} == {"{}"}
    assert events(kefu, 42) == [("agent:501", "blocked", {"reason": "恶意刷屏"}),
                                ("bot", "blocked_notice", {})]


def test_block_inside_a_ticket_topic_needs_no_target(kefu: Kefu) -> None:
    Buyer(kefu).says(OPEN_TICKET)
    assert agent(kefu, 502, "block", 1, "辱骂客服").ok
    assert kefu.store.users.is_blocked(42)
    assert events(kefu, 42)[0] == ("agent:502", "blocked", {"reason": "辱骂客服"})


def test_unblock_lets_the_buyer_back_and_a_new_block_tells_them_again(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says("你好")
    agent(kefu, 501, "block", None, "42")
    assert buyer.says("你好") == replies.BLOCKED
    result = agent(kefu, 501, "unblock", None, "42 误封")
    assert (result.ok, result.note) == (True, "已解除对买家 小张 (id 42) 的屏蔽。")
    assert "有什么可以帮你" in buyer.says("你好")
    agent(kefu, 501, "block", None, "42")
    assert buyer.says("你好") == replies.BLOCKED
    assert [e[1] for e in events(kefu, 42)] == ["blocked", "blocked_notice", "unblocked",
                                                "blocked", "blocked_notice"]


@pytest.mark.parametrize(("action", "text", "ticket_id", "note"), [
    ("block", "", None, guard.BLOCK_USAGE),
    ("block", "刷屏", None, guard.BLOCK_USAGE),
    ("unblock", "", None, guard.UNBLOCK_USAGE),
    ("block", "T9999 刷屏", None, "找不到工单 T9999。"),
    ("block", "#t1001", 5, None),
    ("block", "123456789", None, "没有找到用户 123456789 (对方从未给机器人发过消息)。"),
    ("block", "9" * 40, None, guard.BLOCK_USAGE),
    ("block", "501", None, "不能屏蔽客服成员。"),
    ("unblock", "42", None, "买家 小张 (id 42) 没有被屏蔽。"),
])
def test_block_commands_with_bad_targets_change_nothing(kefu: Kefu, action: str, text: str,
                                                        ticket_id: int | None,
                                                        note: str | None) -> None:
    Buyer(kefu).says(OPEN_TICKET)
    Buyer(kefu, 501, "小王").says("我也是买家")
    result = agent(kefu, 501, action, ticket_id, text)
    if note is None:  # "#t1001" is a valid way to name T1001
        assert result.ok
        return
    assert (result.ok, result.note, result.outs) == (False, note, [])
    assert not kefu.store.users.is_blocked(42) and events(kefu, 42) == []


def test_blocking_twice_says_so(kefu: Kefu) -> None:
    Buyer(kefu).says("你好")
    assert agent(kefu, 501, "block", None, "42").ok
    again = agent(kefu, 501, "block", None, "42")
    assert (again.ok, again.note) == (False, "买家 小张 (id 42) 已经被屏蔽了。")


def test_only_staff_can_block(kefu: Kefu) -> None:
    Buyer(kefu).says("你好")
    result = act(kefu, AgentAct(42, "block", None, "42"))
    assert (result.ok, result.note) == (False, "无权限: 仅限客服成员操作。")
    assert not kefu.store.users.is_blocked(42)


def test_the_console_desk_blocks_and_unblocks(kefu: Kefu) -> None:
    Buyer(kefu).says(OPEN_TICKET)
    said: list[str] = []
    desk = Desk(kefu, 501, said.append)
    desk.run("/block T1001 刷屏")
    desk.run("/show T1001")
    desk.run("/unblock")  # the ticket in hand
    assert said[0].startswith("已屏蔽买家 小张 (id 42): 刷屏")
    assert said[-1] == "已解除对买家 小张 (id 42) 的屏蔽。"
    assert not kefu.store.users.is_blocked(42)
