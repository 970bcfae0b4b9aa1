"""Secrets in logs: card codes and the bot token masked, order numbers left readable."""

from __future__ import annotations

import http.server
import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot import logmask
from bot.logmask import SecretFilter, SecretMasker
from tools.cli import main

REPO = Path(__file__).resolve().parent.parent
TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"
ORDER = "KM202411221530123456"


@pytest.fixture
def mask() -> SecretMasker:
    return SecretMasker(TOKEN)


@pytest.mark.parametrize(("text", "masked"), [
    ("卡密ABCD1234EFGH5678已经发了", "卡密************5678已经发了"),
    ("code: x7k2m9p4q8r3 ok", "code: ********q8r3 ok"),
    ("卡密 ABCD-EFGH-IJKL-MNOP 用不了", "卡密 ****-****-****-MNOP 用不了"),
    ("1234-5678-9012-3456", "****-****-****-3456"),
    ("ABCD 1234 EFGH 5678", "**** **** **** 5678"),
])
def test_card_codes_are_masked_keeping_the_last_four(mask: SecretMasker, text: str,
                                                     masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize("text", [
    f"订单号:{ORDER} 卡密没到", ORDER.lower(), "202411220001234567", "KM2024 1122 1530 123456",
    "user 7001234567 in chat -1001777", "serving on port 8443 with python-telegram-bot",
    "2026-11-23T06:00:00+00:00", "工单 #T1024 已受理", "HTTP/1.1 200 OK", "ABCDEFGHIJKLMNOP",
])
def test_order_numbers_ids_and_words_stay_readable(mask: SecretMasker, text: str) -> None:
    assert mask(text) == text


def test_a_shop_order_pattern_keeps_its_own_order_numbers() -> None:
    text = "order DD20241122AB7788 stuck"
    assert SecretMasker(None)(text) == "order ************7788 stuck"
    assert SecretMasker(None, r"DD\d{8}[A-Z]{2}\d{4}")(text) == text


def test_the_token_is_masked_by_shape_and_by_its_exact_value() -> None:
    odd = "123456:kefu-e2e-token"  # too short for the shape: only the exact value catches it
    masked = SecretMasker(odd)(f"url http://127.0.0.1:8081/bot{odd}/getMe and {TOKEN}")
    assert masked == "url http://127.0.0.1:8081/bot[token]/getMe and [token]"
    assert SecretMasker("")("nothing to hide") == "nothing to hide"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose one handler carries the filter, as `install` sets up the root."""
    out = io.StringIO()
    log = logging.getLogger("kefu.test.logmask")
    log.propagate, log.level = False, logging.DEBUG
    log.handlers = [logging.StreamHandler(out)]
    logmask.install(TOKEN, logger=log)
    yield log, out
    log.handlers = []


def test_httpx_request_lines_lose_the_token(captured: tuple[logging.Logger, io.StringIO]
                                            ) -> None:
    log, out = captured
    url = httpx.URL(f"https://api.telegram.org/bot{TOKEN}/sendMessage")
    # httpx's own call: the URL is an argument, not part of the format string.
    log.info('HTTP Request: %s %s "%s %d %s"', "POST", url, "HTTP/1.1", 200, "OK")
    assert out.getvalue() == ('HTTP Request: POST https://api.telegram.org/bot[token]/sendMessage'
                              ' "HTTP/1.1 200 OK"\n')


def test_arguments_and_tracebacks_are_masked(captured: tuple[logging.Logger, io.StringIO]
                                             ) -> None:
    log, out = captured
    log.warning("buyer %s sent %s about %s", 7001, {"text": "卡密 ABCD1234EFGH5678"}, ORDER)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError:
        log.exception("startup failed")
    text = out.getvalue()
    assert "ABCD1234" not in text and TOKEN not in text and "AAHdqTcv" not in text
    assert f"buyer 7001 sent {{'text': '卡密 ************5678'}} about {ORDER}" in text
    assert "The token `[token]` was rejected" in text


def test_installing_again_replaces_the_filter(captured: tuple[logging.Logger, io.StringIO]
                                             ) -> None:
    log, out = captured
    logmask.install("another-token-value", logger=log)
    assert [type(f) for f in log.handlers[0].filters] == [SecretFilter]
    log.info("another-token-value")
    assert out.getvalue() == "[token]\n"


def test_every_kefu_command_installs_the_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("KEFU_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    assert main(["init", str(tmp_path / "kefu.yaml")]) == 0
    try:
        logging.getLogger("kefu.test").warning("token %s card ABCD-1234-EFGH-5678", TOKEN)
        assert caplog.messages[-1] == "token [token] card ****-****-****-5678"
    finally:
        for handler in logging.getLogger().handlers:
            for f in [f for f in handler.filters if isinstance(f, SecretFilter)]:
                handler.removeFilter(f)


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    """A Bot API that rejects every token, as Telegram does a revoked one."""

    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_args: object) -> None:
        return None


def test_a_rejected_token_is_reported_without_the_token(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tools.cli", "run", "--db", str(tmp_path / "kefu.db"),
             "--base-url", f"http://127.0.0.1:{server.server_port}/bot"],
            cwd=REPO, env={**os.environ, "KEFU_TELEGRAM_TOKEN": TOKEN}, capture_output=True,
            text=True, timeout=60)
    finally:
        server.shutdown()
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "rejected the bot token in KEFU_TELEGRAM_TOKEN" in output
    assert TOKEN not in output and "AAHdqTcv" not in output


@pytest.mark.parametrize(("text", "masked"), [
    ("移动充值卡密码 123456789012345678", "移动充值卡密码 **************5678"),
    ("骏网卡号: 1234 5678 9012 3456 密码: 6688 1234 5566",
     "骏网卡号: **** **** **** 3456 密码: **** **** 5566"),
    ("卡密:8888123456789 到了吗", "卡密:*********6789 到了吗"),
    ("卡密是1234567890123456", "卡密是************3456"),
    ("联通卡号6222021234567890123 密码 20241122", "联通卡号***************0123 密码 ****1122"),
    ("充值码：987654321098", "充值码：********1098"),
    ("pin 88886666 code=445566778899", "pin ****6666 code=********8899"),
    ("PIN: 1234-5678-9012", "PIN: ****-****-9012"),
    ("兑换码为 300012345678", "兑换码为 ********5678"),
    ("got 12345678901234567890123456 from shop", "got **********************3456 from shop"),
])
def test_digits_only_codes_are_masked_where_a_code_is_expected(mask: SecretMasker, text: str,
                                                               masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize("text", [
    "code=123", "卡密没到 订单 202411220001234567", "密码错误 3 次", "退款 100 元, 卡号尾号 1234",
    "pin 12345", "user 7001234567 in chat -1001777123456", "1732252800123 ms",
])
def test_short_numbers_and_order_numbers_near_code_words_stay(mask: SecretMasker,
                                                              text: str) -> None:
    assert mask(text) == text


def test_long_digit_runs_are_masked_unless_they_match_the_shops_order_pattern() -> None:
    shop = SecretMasker(None, r"\d{18}")
    assert shop("单号 202411220001234567 卡 123456789012345") == \
        "单号 202411220001234567 卡 ***********2345"
    assert shop("卡 12345678901234567890") == "卡 ****************7890"
