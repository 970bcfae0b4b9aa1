"""Settings: defaults with no file, file values, environment overrides, clear errors."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config
from tools.cli import main
from tools.example_config import EXAMPLE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kefu.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_work_with_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = load_config(env={})
    assert cfg.database == Path("kefu.db") and cfg.source is None
    assert cfg.eta.hours.opens == time(9) and cfg.eta.hours.closes == time(0)
    assert cfg.tiers["S"].first_reply == timedelta(hours=1)
    assert cfg.tiers["B"].first_reply == timedelta(minutes=5)
    assert cfg.faq.name == "faq.yaml" and cfg.faq.exists()


def test_file_values_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "business_hours: {opens: '08:30', closes: '22:00'}\n"
                           "tiers: {A: {first_reply_minutes: 90}}\nstaff_chat: -100123\n")
    cfg = load_config(path, env={})
    assert cfg.eta.hours.opens == time(8, 30) and cfg.eta.hours.closes == time(22)
    assert cfg.tiers["A"].first_reply == timedelta(minutes=90)
    assert cfg.tiers["S"].first_reply == timedelta(hours=1)  # untouched tiers keep defaults
    assert cfg.staff_chat == -100123


def test_environment_overrides_file_and_flag_overrides_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "database: from-file.db\ntimezone: Asia/Shanghai\n")
    env = {"KEFU_DB": "from-env.db", "KEFU_TZ": "Asia/Hong_Kong", "KEFU_STAFF_CHAT": "-1009"}
    cfg = load_config(path, env=env)
    assert cfg.database == Path("from-env.db") and str(cfg.tz) == "Asia/Hong_Kong"
    assert cfg.staff_chat == -1009
    assert load_config(path, env=env, db="flag.db").database == Path("flag.db")


def test_kefu_config_variable_finds_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "reopen_days: 3\n")
    assert load_config(env={"KEFU_CONFIG": str(path)}).reopen_days == 3


@pytest.mark.parametrize(("text", "key"), [
    ("business_hours: {opens: 9am}\n", "business_hours.opens"),
    ("timezone: Mars/Olympus\n", "timezone"),
    ("tiers: {A: {first_reply_minutes: -5}}\n", "tiers.A.first_reply_minutes"),
    ("match: {answer: 2}\n", "match.answer"),
    ("order_pattern: '[A-Z'\n", "order_pattern"),
    ("agents: [{id: abc}]\n", "agents[0].id"),
    ("agents: [{id: 1, role: boss}]\n", "agents[0].role"),
    ("staff_chat: general\n", "staff_chat"),
    ("sla: {warn_ratio: 1.5}\n", "sla.warn_ratio"),
    ("sla: {reassign_on_breach: maybe}\n", "sla.reassign_on_breach"),
    ("colour: blue\n", "colour"),
    ("guard: {flood_per_minute: -1}\n", "guard.flood_per_minute"),
    ("guard: {flood_per_minute: 2.5}\n", "guard.flood_per_minute"),
    ("telegram: {messages_per_second: -1}\n", "telegram.messages_per_second"),
    ("telegram: {group_messages_per_minute: many}\n", "telegram.group_messages_per_minute"),
    ("telegram: {http: requests}\n", "telegram.http"),
])
def test_a_wrong_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_config(write(tmp_path, text), env={})


def test_init_writes_an_example_that_loads(tmp_path: Path) -> None:
    target = tmp_path / "kefu.yaml"
    assert main(["init", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == EXAMPLE
    cfg = load_config(target, env={})
    assert cfg.order_pattern == r"[A-Z]{0,4}\d{12,24}"
    assert main(["init", str(target)]) == 1  # never overwrites without --force


def test_example_lists_every_setting() -> None:
    from bot.config import DEFAULTS

    assert set(yaml.safe_load(EXAMPLE)) == set(DEFAULTS)


def test_config_error_exits_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    path = write(tmp_path, "business_hours: {opens: 9am}\n")
    assert main(["--config", str(path), "match", "你好"]) == 2
    assert "business_hours.opens" in capsys.readouterr().err


def test_telegram_limits_default_to_telegrams_and_zero_lifts_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}).telegram.messages_per_second == 30
    assert load_config(env={}).telegram.group_messages_per_minute == 20
    cfg = load_config(write(tmp_path, "telegram: {messages_per_second: 0}\n"), env={})
    assert cfg.telegram.messages_per_second == 0 and cfg.telegram.group_messages_per_minute == 20
    assert cfg.telegram.http == "aiohttp"
    cfg = load_config(write(tmp_path, "telegram: {http: HTTPX}\n"), env={})
    assert cfg.telegram.http == "httpx"


def test_orders_default_to_no_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    orders = load_config(env={}).orders
    assert orders.backend == "none" and orders.small_order_amount == 50
    assert orders.auto_refund_daily_cap == 20 and orders.check_owner is True
    assert orders.resends_per_order_per_day == 1 and orders.resends_per_buyer_per_day == 3
    assert orders.http.timeout_seconds == 2 and orders.http.retries == 2


def test_orders_http_section_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, """\
orders:
  backend: http
  small_order_amount: 30
  http:
    lookup_url: https://shop.example.com/api/orders/{order_no}
    token_env: SHOP_TOKEN
    headers: {Authorization: "Bearer {token}"}
    fields: {status: data.state, amount: data.price}
    statuses: {"3": 已发货}
""")
    orders = load_config(path, env={"SHOP_TOKEN": "s3cret"}).orders
    assert orders.backend == "http" and orders.small_order_amount == 30
    assert dict(orders.http.headers) == {"Authorization": "Bearer {token}"}  # token stays out
    assert dict(orders.http.fields) == {"status": "data.state", "amount": "data.price"}
    assert dict(orders.http.statuses) == {"3": "已发货"}


@pytest.mark.parametrize(("text", "key"), [
    ("orders: {backend: mysql}\n", "orders.backend"),
    ("orders: {small_order_amount: -1}\n", "orders.small_order_amount"),
    ("orders: {auto_refund_daily_cap: 2.5}\n", "orders.auto_refund_daily_cap"),
    ("orders: {check_owner: maybe}\n", "orders.check_owner"),
    ("orders: {resends_per_order_per_day: -1}\n", "orders.resends_per_order_per_day"),
    ("orders: {resends_per_buyer_per_day: 1.5}\n", "orders.resends_per_buyer_per_day"),
    ("orders: {backend: http}\n", "orders.http.lookup_url"),
    ("orders: {http: {lookup_url: 'ftp://x/{order_no}'}}\n", "orders.http.lookup_url"),
    ("orders: {http: {refund_url: 'https://x/refund'}}\n", "orders.http.refund_url"),
    ("orders: {http: {timeout_seconds: 30}}\n", "orders.http.timeout_seconds"),
    ("orders: {http: {fields: {colour: a.b}}}\n", "orders.http.fields.colour"),
    ("orders: {http: {statuses: {'3': 发了}}}\n", "orders.http.statuses.3"),
    ("orders: {http: {token_env: 'not a name'}}\n", "orders.http.token_env"),
    ("orders: {http: {nonsense: 1}}\n", "orders.http.nonsense"),
])
def test_a_wrong_orders_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_config(write(tmp_path, text), env={})


def test_flood_limit_defaults_to_twenty_and_zero_turns_it_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}).guard.flood_per_minute == 20
    cfg = load_config(write(tmp_path, "guard: {flood_per_minute: 0}\n"), env={})
    assert cfg.guard.flood_per_minute == 0
