"""The dujiaoka, acg-faka and Dujiao-Next backends against a real MariaDB and PostgreSQL."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import fields, replace
from typing import Any
from zoneinfo import ZoneInfo

import pymysql
import pytest
from sqlalchemy import text

from bot.orders import (
    DELIVERED,
    DELIVERY_FAILED,
    EXPIRED,
    NO_STOCK,
    PAID,
    PART_DELIVERED,
    PART_REFUNDED,
    REFUNDED,
    UNPAID,
    BackendError,
    Order,
)
from bot.orders.settings import SqlSettings
from bot.orders.shopdb import ShopDatabases
from bot.orders.sqlorders import SqlOrders
from bot.orders.systems import SYSTEMS
from tests.fixtures_shopdb import ShopDbs, shop_dbs_fixture  # noqa: F401
from tests.shop_data import (
    DN_CHILD,
    DN_MEMBER,
    DN_PARENT,
    FULL_CODES,
    RO_PASSWORD,
    RO_USER,
    VIEW_PASSWORD,
    VIEW_USER,
)
from tests.shop_servers import free_port

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(name="databases")
def databases_fixture() -> Iterator[ShopDatabases]:
    dbs = ShopDatabases()
    yield dbs
    dbs.close()


def backend(dbs: ShopDatabases, name: str, url: str, **settings: Any) -> SqlOrders:
    return SqlOrders(SYSTEMS[name], SqlSettings(**settings), dbs, TZ,
                     env={"KEFU_ORDERS_DSN": url})


def no_full_code(order: Order | None) -> None:
    values = [str(getattr(order, f.name)) for f in fields(Order)] if order else []
    assert not any(code in value for code in FULL_CODES for value in values)
    assert not any(code in repr(order) for code in FULL_CODES)


@pytest.mark.parametrize(("order_no", "status", "tail"), [
    ("DJKDELIVERED0001", DELIVERED, "WXYZ"), ("DJKUNPAID0000002", UNPAID, ""),
    ("DJKPENDING000003", PAID, ""), ("DJKPROCESS000004", PAID, ""),
    ("DJKFAILED0000005", DELIVERY_FAILED, ""), ("DJKNOSTOCK000006", NO_STOCK, ""),
    ("DJKEXPIRED000007", EXPIRED, ""), ("DJKMANUAL0000008", DELIVERED, ""),
    ("DJKCRLF000000010", DELIVERED, "5678")])
def test_dujiaoka_maps_every_status_and_reads_only_the_last_code_tail(
        shop_dbs: ShopDbs, databases: ShopDatabases, order_no: str, status: str,
        tail: str) -> None:
    order = backend(databases, "dujiaoka", shop_dbs.url("dujiaoka")).lookup(order_no)
    assert order is not None and order.status == status and order.code_tail == tail
    no_full_code(order)


def test_dujiaoka_fields_in_kefus_words(shop_dbs: ShopDbs, databases: ShopDatabases) -> None:
    order = backend(databases, "dujiaoka", shop_dbs.url("dujiaoka")).lookup("DJKDELIVERED0001")
    assert order is not None
    assert (order.buyer, order.product, order.amount, order.pay_channel) == (
        "buyer@qq.com", "王者荣耀 60 点券 x 2", 30.0, "支付宝")
    assert order.code_ref == "****WXYZ" and order.lookup_password == "pw123"
    assert "pw123" not in repr(order)  # carried for the proof step, never logged
    assert order.delivered_at is not None and order.delivered_at.tzinfo is not None
    assert order.delivered_at.strftime("%H:%M") == "13:51"
    unpaid = backend(databases, "dujiaoka", shop_dbs.url("dujiaoka")).lookup("DJKUNPAID0000002")
    assert unpaid is not None and unpaid.paid_at is None


def test_missing_and_soft_deleted_orders_are_none(shop_dbs: ShopDbs,
                                                  databases: ShopDatabases) -> None:
    dujiaoka = backend(databases, "dujiaoka", shop_dbs.url("dujiaoka"))
    assert dujiaoka.lookup("NOSUCHORDER00001") is None
    assert dujiaoka.lookup("DJKDELETED000009") is None
    assert backend(databases, "acgfaka", shop_dbs.url("acgfaka")).lookup("1" * 18) is None
    assert backend(databases, "dujiao_next", shop_dbs.url("dujiao_next")).lookup("DN1") is None


@pytest.mark.parametrize(("order_no", "status", "tail"), [
    ("100241122153012345", DELIVERED, "LAST"), ("100241122153012346", PAID, ""),
    ("100241122153012347", UNPAID, "")])
def test_acgfaka_maps_paid_and_delivered(shop_dbs: ShopDbs, databases: ShopDatabases,
                                         order_no: str, status: str, tail: str) -> None:
    order = backend(databases, "acgfaka", shop_dbs.url("acgfaka")).lookup(order_no)
    assert order is not None and order.status == status and order.code_tail == tail
    no_full_code(order)
    if status == DELIVERED:
        assert (order.buyer, order.product, order.pay_channel, order.lookup_password) == (
            "13800138000", "网易云音乐月卡", "支付宝", "qq123")


@pytest.mark.parametrize(("order_no", "status", "tail"), [
    ("DN202602110001", UNPAID, ""), ("DN202602110002", PAID, ""),
    ("DN202602110003", PAID, ""), ("DN202602110004", PART_DELIVERED, "7777"),
    ("DN202602110005", DELIVERED, "ZZ99"), ("DN202602110006", DELIVERED, "1111"),
    ("DN202602110007", PART_REFUNDED, ""), ("DN202602110008", REFUNDED, ""),
    ("DN202602110009", EXPIRED, ""), (DN_PARENT, DELIVERED, "4242")])
def test_dujiao_next_maps_every_status(shop_dbs: ShopDbs, databases: ShopDatabases,
                                       order_no: str, status: str, tail: str) -> None:
    order = backend(databases, "dujiao_next", shop_dbs.url("dujiao_next")).lookup(order_no)
    assert order is not None and order.status == status and order.code_tail == tail
    assert order.product == "Netflix 月卡" and order.buyer == "guest@example.com"
    no_full_code(order)


def test_dujiao_next_member_orders_carry_the_members_email(
        shop_dbs: ShopDbs, databases: ShopDatabases) -> None:
    dn = backend(databases, "dujiao_next", shop_dbs.url("dujiao_next"))
    member = dn.lookup(DN_MEMBER)
    assert member is not None and member.buyer == "member@example.com"
    child = dn.lookup(DN_CHILD)
    assert child is not None and child.code_tail == "4242"
    guest = dn.lookup("DN202602110005")
    assert guest is not None and guest.lookup_password == "guest-pass-1234"
    assert guest.delivered_at is not None and guest.delivered_at.utcoffset() is not None


def test_a_tail_view_keeps_the_codes_away_from_kefus_user(
        shop_dbs: ShopDbs, databases: ShopDatabases) -> None:
    url = shop_dbs.url("dujiaoka", VIEW_USER, VIEW_PASSWORD)
    with_view = backend(databases, "dujiaoka", url, tail_view="kefu_card_tails")
    order = with_view.lookup("DJKDELIVERED0001")
    assert order is not None and order.code_tail == "WXYZ"
    with pytest.raises(BackendError, match="no SELECT permission"):
        backend(databases, "dujiaoka", url).lookup("DJKDELIVERED0001")  # RIGHT(info) denied


def test_a_wrong_prefix_names_the_setting(shop_dbs: ShopDbs, databases: ShopDatabases) -> None:
    wrong = backend(databases, "acgfaka", shop_dbs.url("acgfaka"), table_prefix="xx_")
    with pytest.raises(BackendError, match=r"xx_order.*orders.table_prefix, now 'xx_'"):
        wrong.lookup("100241122153012345")


def test_configuration_errors_are_one_clear_line(shop_dbs: ShopDbs,
                                                 databases: ShopDatabases) -> None:
    right = shop_dbs.url("dujiaoka")
    cases = {
        right.replace(RO_PASSWORD, "Bad-Pw-77"): "access denied",
        right.replace("/dujiaoka", "/nosuchdb"): "access denied to that database",
        right.replace("127.0.0.1", "no-such-host.invalid"): "unknown host",
        shop_dbs.url("dujiao_next").replace(RO_PASSWORD, "Bad-Pw-77"): "access denied",
    }
    for url, words in cases.items():
        name = "dujiao_next" if url.startswith("postgresql") else "dujiaoka"
        with pytest.raises(BackendError) as caught:
            backend(databases, name, url).lookup("DJKDELIVERED0001")
        assert str(caught.value).startswith(words) and "Bad-Pw-77" not in str(caught.value)
    with pytest.raises(BackendError, match="KEFU_ORDERS_DSN is not set"):
        backend(databases, "dujiaoka", "").lookup("DJKDELIVERED0001")
    with pytest.raises(BackendError, match="expected a postgresql URL"):
        backend(databases, "dujiao_next", right).lookup("DN202602110001")


def test_the_pool_is_kept_between_lookups(shop_dbs: ShopDbs, databases: ShopDatabases) -> None:
    dujiaoka = backend(databases, "dujiaoka", shop_dbs.url("dujiaoka"))
    for _ in range(5):
        dujiaoka.lookup("DJKDELIVERED0001")
    engine = databases.engine("mysql+pymysql" + shop_dbs.url("dujiaoka")[len("mysql"):])
    assert engine.pool.checkedin() == 1  # one warm connection, reused


def test_the_session_is_read_only_even_for_a_user_who_may_write(
        shop_dbs: ShopDbs, databases: ShopDatabases) -> None:
    with pymysql.connect(unix_socket=f"{shop_dbs.mysql.socket_dir}/mysqld.sock",
                         user="root", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE USER IF NOT EXISTS 'writer'@'%' IDENTIFIED BY 'w-pass'")
        cur.execute("GRANT ALL ON dujiaoka.* TO 'writer'@'%'")
    mysql = "mysql+pymysql" + shop_dbs.url("dujiaoka", "writer", "w-pass")[len("mysql"):]
    pg = "postgresql+psycopg" + shop_dbs.url("dujiao_next")[len("postgresql"):]
    for url, sql in ((mysql, "UPDATE orders SET status = 1"),
                     (pg, "UPDATE orders SET status = 'paid'")):
        with databases.engine(url).connect() as conn, pytest.raises(Exception,
                                                                   match=r"(?i)read.only"):
            conn.execute(text(sql))


def test_the_read_only_user_cannot_write(shop_dbs: ShopDbs) -> None:
    conn = pymysql.connect(host="127.0.0.1", port=shop_dbs.mysql.port, user=RO_USER,
                           password=RO_PASSWORD, database="dujiaoka")
    with conn, conn.cursor() as cur, pytest.raises(pymysql.err.OperationalError,
                                                   match="command denied"):
        cur.execute("UPDATE orders SET status = 4")


def test_a_dead_server_is_a_backend_error_within_the_deadline_logged_once_a_minute(
        shop_dbs: ShopDbs, databases: ShopDatabases, caplog: pytest.LogCaptureFixture) -> None:
    dead = shop_dbs.url("dujiaoka").replace(str(shop_dbs.mysql.port), str(free_port()))
    dujiaoka = backend(databases, "dujiaoka", dead)
    caplog.set_level(logging.WARNING, "bot.orders.shopdb")
    for _ in range(5):
        started = time.monotonic()
        with pytest.raises(BackendError, match="cannot connect"):
            dujiaoka.lookup("DJKDELIVERED0001")
        assert time.monotonic() - started < 5.0
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "dujiaoka order database" in lines[0]
    assert RO_PASSWORD not in lines[0] and "***" in lines[0]


def test_a_server_that_never_answers_is_cut_at_the_deadline(databases: ShopDatabases) -> None:
    import socket

    with socket.socket() as silent:  # accepts the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"mysql://u:p@127.0.0.1:{silent.getsockname()[1]}/dujiaoka"
        slow = replace(backend(databases, "dujiaoka", url), deadline=1.0)
        started = time.monotonic()
        with pytest.raises(BackendError, match="no answer within 1 s"):
            slow.lookup("DJKDELIVERED0001")
        assert time.monotonic() - started < 1.5
