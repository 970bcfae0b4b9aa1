"""The SQL backends' pure parts: settings, order numbers, remedies for the new statuses, the
connection URL's masking and the one-line reasons, the once-a-minute log."""

from __future__ import annotations

import logging
from pathlib import Path

import pymysql
import pytest

from bot import remedy as rm
from bot.config import ConfigError, load_config
from bot.orders import (
    DELIVERY_FAILED,
    EXPIRED,
    NO_STOCK,
    PART_DELIVERED,
    PART_REFUNDED,
    BackendError,
)
from bot.orders.dsn import explain, mask, read_url
from bot.orders.ratelog import EveryMinute
from bot.orders.settings import OrdersSettings
from intents.extract import extract_order_no
from tests.test_remedy import ask, order


def config(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "kefu.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={})


@pytest.mark.parametrize(("backend", "pattern"), [
    ("dujiaoka", r"[A-Z0-9]{16}"), ("acgfaka", r"\d{18}"), ("dujiao_next", r"DN\d{10,24}"),
    ("sqlite", r"[A-Z]{0,4}\d{12,24}")])
def test_the_backend_chooses_the_order_pattern(tmp_path: Path, backend: str,
                                               pattern: str) -> None:
    assert config(tmp_path, f"orders: {{backend: {backend}}}\n").order_pattern == pattern


def test_an_explicit_order_pattern_wins(tmp_path: Path) -> None:
    cfg = config(tmp_path, "order_pattern: 'X\\d{8}'\norders: {backend: dujiaoka}\n")
    assert cfg.order_pattern == r"X\d{8}"


def test_the_sql_settings(tmp_path: Path) -> None:
    cfg = config(tmp_path, "orders: {backend: acgfaka, table_prefix: shop_, "
                 "dsn_env: SHOP_DSN, tail_view: kefu_tails}\n")
    assert (cfg.orders.sql.table_prefix, cfg.orders.sql.dsn_env,
            cfg.orders.sql.tail_view) == ("shop_", "SHOP_DSN", "kefu_tails")
    assert config(tmp_path, "orders: {backend: dujiaoka}\n").orders.sql.dsn_env == (
        "KEFU_ORDERS_DSN")


@pytest.mark.parametrize(("yaml", "key"), [
    ("orders: {backend: acgfaka, table_prefix: 'acg_; DROP'}\n", "orders.table_prefix"),
    ("orders: {backend: dujiaoka, tail_view: 'v x'}\n", "orders.tail_view"),
    ("orders: {backend: dujiaoka, dsn_env: 'mysql://u:p@h/db'}\n", "orders.dsn_env"),
    ("orders: {backend: dujiao_next, dujiao_next: {mode: api}}\n", "orders.http.base_url"),
    ("orders: {backend: dujiao_next, dujiao_next: {mode: grpc}}\n", "orders.dujiao_next.mode"),
])
def test_bad_sql_settings_name_the_key(tmp_path: Path, yaml: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        config(tmp_path, yaml)


@pytest.mark.parametrize(("text", "pattern", "number"), [
    ("卡密没到 ABCD1234EFGH5678", r"[A-Z0-9]{16}", "ABCD1234EFGH5678"),
    ("订单号是 abcd1234efgh5678 一直没发货", r"[A-Z0-9]{16}", "ABCD1234EFGH5678"),
    ("付了钱 123241122153012345 没卡密", r"\d{18}", "123241122153012345"),
    ("DN202602110001 没收到", r"DN\d{10,24}", "DN202602110001")])
def test_each_systems_numbers_are_found_in_buyer_text(text: str, pattern: str,
                                                      number: str) -> None:
    assert extract_order_no(text, pattern) == number


@pytest.mark.parametrize(("status", "kind", "then"), [
    (EXPIRED, "expired", rm.ANSWER), (PART_DELIVERED, "part_delivered", rm.TICKET),
    (PART_REFUNDED, "part_refunded", rm.TICKET), (NO_STOCK, "failed", rm.REFUND),
    (DELIVERY_FAILED, "failed", rm.REFUND)])
def test_each_new_status_has_its_remedy(status: str, kind: str, then: str) -> None:
    remedy = rm.decide(order(status, amount=20.0), "KM1", ask(), OrdersSettings())
    assert (remedy.kind, remedy.then) == (kind, then)


def test_expired_says_nothing_was_taken_and_no_stock_says_so() -> None:
    expired = rm.decide(order(EXPIRED), "KM1", ask("order_status"), OrdersSettings())
    assert "已过期未支付, 没有扣款" in expired.say and "重新下单" in expired.say
    big = rm.decide(order(NO_STOCK, amount=500.0), "KM1", ask(), OrdersSettings())
    assert big.then == rm.TICKET and "缺货" in big.say and "缺货" in big.notes[0]


def test_the_url_is_masked_and_the_driver_named() -> None:
    assert mask("mysql://kefu:s3cr@t@db:3306/x") == "mysql://kefu:***@db:3306/x"
    env = {"DSN": "mariadb://kefu:pw@db/dujiaoka"}
    assert read_url(env, "DSN", "mysql") == "mysql+pymysql://kefu:pw@db/dujiaoka"
    assert read_url({"DSN": "postgres://u:p@h/d"}, "DSN", "postgresql").startswith(
        "postgresql+psycopg://")
    with pytest.raises(BackendError, match="DSN is not set") as unset:
        read_url({}, "DSN", "mysql")
    assert "pw" not in str(unset.value)


def test_explain_names_the_problem_without_the_password() -> None:
    denied = pymysql.err.OperationalError(1045, "Access denied for user 'kefu'@'h'")
    assert explain(denied).startswith("access denied")
    missing = pymysql.err.ProgrammingError(1146, "Table 'shop.acg_order' doesn't exist")
    assert explain(missing).startswith("missing table") and "acg_order" in explain(missing)
    column = pymysql.err.OperationalError(1054, "Unknown column 'o.search_pwd'")
    assert explain(column).startswith("missing column")


def test_a_problem_is_logged_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = EveryMinute(logging.getLogger("t"), clock=lambda: now[0])
    caplog.set_level(logging.WARNING, "t")
    assert log.warn("db", "down") and not log.warn("db", "down")
    now[0] = 59.0
    assert not log.warn("db", "down") and log.warn("other", "other problem")
    now[0] = 61.0
    assert log.warn("db", "down")
    assert [r.getMessage() for r in caplog.records] == [
        "down", "other problem", "down (2 more like it in the last 60 s)"]
