"""The sqlite order backend: kefu's `orders` table as the shop, or sqlite-utils, fills it."""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db import open_store
from bot.kefu import Kefu
from bot.orders import BackendError
from bot.orders.sqlite import SqliteOrders
from tests.fixtures_orders import (  # noqa: F401
    ORDER,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
    write_csv,
)

SH = ZoneInfo("Asia/Shanghai")
README = Path(__file__).resolve().parent.parent / "README.md"


def backend(k: Kefu) -> SqliteOrders:
    return SqliteOrders(k.store, k.config.tz)


def test_lookup_reads_the_row_with_naive_times_as_shop_time(make_shop: Callable[..., Kefu]
                                                            ) -> None:
    k = make_shop()
    add_order(k)
    order = backend(k).lookup(ORDER.lower())  # order numbers compare case-insensitively
    assert order is not None and order.status == "已发货" and order.amount == 30
    assert order.paid_at == datetime(2026, 11, 23, 13, 50, tzinfo=SH)
    assert order.code_tail == "WXYZ"
    assert "ABCD" not in repr(order) and "ABCD" not in order.code_ref


def test_unknown_number_is_none(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k)
    assert backend(k).lookup("KM999999999999999999") is None


def test_an_unreadable_row_is_a_backend_error(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop()
    add_order(k, amount="三十块钱")
    with pytest.raises(BackendError, match="amount"):
        backend(k).lookup(ORDER)


def test_the_sqlite_backend_has_no_refund_or_resend_endpoint(make_shop: Callable[..., Kefu]
                                                             ) -> None:
    b = backend(make_shop())
    assert not b.can_refund and not b.can_resend


def test_readme_sqlite_utils_example_fills_the_table_kefu_reads(
        make_shop: Callable[..., Kefu], tmp_path: Path) -> None:
    k = make_shop()
    command = next(line for line in README.read_text(encoding="utf-8").splitlines()
                   if re.match(r"sqlite-utils insert kefu\.db orders orders\.csv ", line))
    write_csv(tmp_path / "orders.csv", "order_no,buyer,status,amount,paid_at\n"
              f"{ORDER},42,充值中,30,2026-11-23 13:50:00\n", encoding="utf-8")
    cli = Path(sys.executable).parent / "sqlite-utils"
    args = [str(cli), *shlex.split(command)[1:]]
    subprocess.run(args, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    order = backend(k).lookup(ORDER)
    assert order is not None and (order.status, order.amount) == ("充值中", 30.0)
    assert order.paid_at == datetime(2026, 11, 23, 13, 50, tzinfo=SH)


def test_a_table_the_shop_made_before_kefu_is_kept(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "kefu.db")
    db.execute("CREATE TABLE orders (order_no TEXT PRIMARY KEY, status TEXT, amount REAL)")
    db.execute("INSERT INTO orders VALUES (?, '充值失败', 30)", [ORDER])
    db.commit()
    db.close()
    store = open_store(tmp_path / "kefu.db")
    order = SqliteOrders(store, SH).lookup(ORDER)
    assert order is not None and order.status == "充值失败" and order.buyer == ""
