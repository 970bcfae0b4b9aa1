"""`kefu console` as real processes sharing one SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.kefu_process import MINI_FAQ, REPO

ORDER = "KM202411221530123456"


def console(tmp_path: Path, lines: list[str], *args: str) -> str:
    """Run one console process on piped input; return what it printed."""
    config = tmp_path / "kefu.yaml"
    config.write_text(f"database: {tmp_path / 'kefu.db'}\nfaq: {MINI_FAQ}\n"
                      "business_hours: {opens: '00:00', closes: '00:00'}\n"
                      "match: {answer: 0.5, margin: 0.05, clarify: 0.2}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "--config", str(config), "console", *args],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=REPO, timeout=60,
        env={**os.environ, "KEFU_DB": ""})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_scripted_buyer_gets_a_ticket(tmp_path: Path) -> None:
    out = console(tmp_path, ["付了钱卡密没到", ORDER, "1"])
    assert "请发一下订单号" in out and "你希望怎么处理" in out
    assert "工单 #T1001 已受理 (卡密未到账 · 补发)" in out


def test_a_new_process_resumes_intake_at_the_same_step(tmp_path: Path) -> None:
    first = console(tmp_path, ["付了钱卡密没到"])
    assert "请发一下订单号" in first
    second = console(tmp_path, [ORDER])  # a restart: nothing but the file carries state
    assert "你希望怎么处理" in second


def test_agent_terminal_claims_and_replies_to_the_buyer_terminal(tmp_path: Path) -> None:
    console(tmp_path, [f"付了钱卡密没到 {ORDER} 补发"])
    desk = console(tmp_path, ["/claim T1001", "您好 马上处理", "/stage 处理", "/resolve"],
                   "--agent", "小王")
    assert "卡密未到账" in desk and "已认领 #T1001" in desk and "#T1001 已解决" in desk
    buyer = console(tmp_path, ["/status"])
    assert "客服 小王 已接手工单 #T1001" in buyer
    assert "【客服 小王】您好 马上处理" in buyer
    assert "正在为你处理 (补发)" in buyer
    assert "#T1001 卡密未到账 · 补发: 已解决" in buyer
