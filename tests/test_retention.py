"""Retention: old texts stubbed, codes masked once resolved, daily and bounded, on a real file."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import retention
from bot.kefu import Kefu
from bot.logmask import SecretMasker
from tests.fixtures_core import Buyer, FakeClock, agent, tick
from tools.cli import main
from tools.prune import cmd_prune

ORDER = "KM202411221530123456"
CODE = "123456789012345678"  # a 移动充值卡 code: digits only


def rows(k: Kefu, table: str) -> list[dict]:
    return list(k.store.db.query(f"SELECT * FROM {table} ORDER BY id"))


def texts(k: Kefu) -> str:
    """Every stored text, to search for a code."""
    return json.dumps([rows(k, t) for t in ("messages", "outbox", "ticket_events")],
                      ensure_ascii=False)


def _resolved(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 订单号 {ORDER} 补发")
    buyer.says(f"移动充值卡密码 {CODE} 显示无效")
    agent(kefu, 501, "reply", 1, "新卡密 ABCD1234EFGH5678, 旧卡密 " + CODE + " 已作废")
    agent(kefu, 501, "resolve", 1, f"已补发 pin 88886666 订单 {ORDER}")
    for row in rows(kefu, "outbox"):
        kefu.store.outbox.mark_delivered(row["id"], kefu.now())


def test_codes_are_masked_at_rest_once_the_ticket_is_resolved(kefu: Kefu) -> None:
    _resolved(kefu)
    assert CODE in texts(kefu) and "ABCD1234EFGH5678" in texts(kefu)
    tick(kefu)
    stored = texts(kefu)
    assert CODE not in stored and "ABCD1234EFGH5678" not in stored and "88886666" not in stored
    assert "**************5678" in stored and "************5678" in stored
    assert ORDER in stored  # order numbers stay readable
    buyer_said = [m["text"] for m in rows(kefu, "messages") if m["direction"] == "in"]
    assert "移动充值卡密码 **************5678 显示无效" in buyer_said


def test_texts_past_retention_become_a_stub_keeping_metadata(kefu: Kefu,
                                                            clock: FakeClock) -> None:
    _resolved(kefu)
    tick(kefu)
    before = rows(kefu, "messages")
    clock.advance(days=181)
    Buyer(kefu, 43, "小李").says("你好")  # a new message, inside retention
    tick(kefu)
    after = rows(kefu, "messages")
    assert [m["text"] for m in after[:len(before)]] == [retention.STUB] * len(before)
    assert [(m["at"], m["direction"], m["sender"], m["kind"]) for m in after[:len(before)]] == \
        [(m["at"], m["direction"], m["sender"], m["kind"]) for m in before]
    assert after[-2]["text"] == "你好"
    old_outbox = [o for o in rows(kefu, "outbox") if o["user_id"] != 43 and o["delivered_at"]]
    assert old_outbox and {o["text"] for o in old_outbox} == {retention.STUB}
    events = {e["event"]: json.loads(e["data"]) for e in rows(kefu, "ticket_events")}
    assert events["reply"]["text"] == retention.STUB
    assert events["resolved"]["text"] == retention.STUB


def test_the_daily_run_happens_once_a_day_even_across_a_restart(
        make_kefu: Callable[..., Kefu], clock: FakeClock) -> None:
    kefu = make_kefu()
    _resolved(kefu)
    mask = SecretMasker(None, kefu.config.order_pattern)
    with kefu.store.transaction():
        assert retention.daily(kefu.store, mask, 180, kefu.now()) is not None
    restarted = make_kefu()
    clock.advance(hours=23)
    with restarted.store.transaction():
        assert retention.daily(restarted.store, mask, 180, restarted.now()) is None
    clock.advance(hours=1)
    with restarted.store.transaction():
        assert retention.daily(restarted.store, mask, 180, restarted.now()) is not None


def test_a_huge_backlog_is_pruned_a_bounded_batch_per_tick(kefu: Kefu,
                                                            clock: FakeClock) -> None:
    for i in range(7):
        kefu.store.messages.record(42, "in", "buyer", f"第{i}条 卡密 {CODE}", kefu.now())
    clock.advance(days=200)
    mask = SecretMasker(None, kefu.config.order_pattern)
    steps = []
    for _ in range(4):
        with kefu.store.transaction():
            steps.append(retention.daily(kefu.store, mask, 180, kefu.now(), limit=3))
    assert [s.messages if s else None for s in steps] == [3, 3, 1, None]
    assert [s.more if s else None for s in steps] == [True, True, False, None]
    assert {m["text"] for m in rows(kefu, "messages")} == {retention.STUB}


def test_zero_days_keeps_texts_but_still_masks_resolved_codes(kefu: Kefu,
                                                              clock: FakeClock) -> None:
    _resolved(kefu)
    clock.advance(days=400)
    mask = SecretMasker(None, kefu.config.order_pattern)
    result = retention.prune_all(kefu.store, mask, 0, kefu.now())
    assert result.messages == 0 and result.masked > 0
    assert retention.STUB not in texts(kefu) and CODE not in texts(kefu)


def test_kefu_prune_prints_what_it_changed(kefu: Kefu, clock: FakeClock, config_file: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _resolved(kefu)
    count = len(rows(kefu, "messages"))
    clock.advance(days=181)
    assert cmd_prune(argparse.Namespace(config=str(config_file), db=None), clock.now) == 0
    out = capsys.readouterr().out
    assert "texts older than 180 days" in out and f"messages stubbed: {count}" in out
    assert CODE not in texts(kefu)
    assert main(["--config", str(config_file), "prune"]) == 0  # the command is wired
    assert "messages stubbed: 0" in capsys.readouterr().out  # nothing twice


def test_retention_days_come_from_the_config(tmp_path: Path) -> None:
    from bot.config import ConfigError, load_config
    path = tmp_path / "k.yaml"
    path.write_text("retention: {messages_days: 30}\n", encoding="utf-8")
    assert load_config(path, env={}).retention_days == 30
    assert load_config(None, env={}).retention_days == 180
    path.write_text("retention: {messages_days: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"retention\.messages_days"):
        load_config(path, env={})
