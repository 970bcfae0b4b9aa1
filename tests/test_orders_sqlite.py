"""The sqlite order backend: kefu's `orders` table, filled by CSV import or sqlite-utils."""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.kefu import Kefu
from bot.orders import BackendError
from bot.orders.sqlite import SqliteOrders
from bot.store import open_store
from tests.fixtures_orders import (  # noqa: F401
    CODE,
    ORDER,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
)
from tools.cli import main
from tools.orders_import import import_csv

SH = ZoneInfo("Asia/Shanghai")
README = Path(__file__).resolve().parent.parent / "README.md"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def backend(k: Kefu) -> SqliteOrders:
    return SqliteOrders(k.store, k.config.tz)


def codes_in_db(k: Kefu) -> list[str]:
    return [r["code_ref"] for r in k.store.db.query("SELECT code_ref FROM orders")]


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


def write_csv(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


CHINESE_EXPORT = (
    "订单号,买家,商品,金额,付款时间,状态,卡密,支付方式\n"
    f"{ORDER},42,王者荣耀 60 点券,¥30.00,2026-11-23 13:50:00,发货成功,{CODE},支付宝\n"
    "KM202411221530000002,tg:43,话费 100 元,100,2026-11-23 13:00,充值失败,,微信\n")


def test_import_reads_chinese_headers_and_keeps_codes_masked(
        make_shop: Callable[..., Kefu], tmp_path: Path) -> None:
    k = make_shop()
    result = import_csv(k.store, write_csv(tmp_path / "o.csv", CHINESE_EXPORT), k.config.tz, NOW)
    assert result.written == 2 and result.errors == ()
    first = backend(k).lookup(ORDER)
    assert first is not None and (first.status, first.amount) == ("已发货", 30.0)
    assert first.paid_at == datetime(2026, 11, 23, 13, 50, tzinfo=SH)
    assert sorted(codes_in_db(k)) == ["", "****WXYZ"]  # the full code never reaches the file


def test_import_again_replaces_by_order_number(make_shop: Callable[..., Kefu],
                                              tmp_path: Path) -> None:
    k = make_shop()
    import_csv(k.store, write_csv(tmp_path / "a.csv", CHINESE_EXPORT), k.config.tz, NOW)
    later = ("order_no,status,amount,refunded_at\n"
             "KM202411221530000002,已退款,100,2026-11-23 14:00\n")
    assert import_csv(k.store, write_csv(tmp_path / "b.csv", later), k.config.tz, NOW).written == 1
    order = backend(k).lookup("KM202411221530000002")
    assert order is not None and order.status == "已退款" and order.refunded_at is not None
    assert k.store.db.execute("SELECT count(*) FROM orders").fetchone()[0] == 2


def test_one_bad_row_imports_nothing_and_names_each_bad_line(
        make_shop: Callable[..., Kefu], tmp_path: Path) -> None:
    k = make_shop()
    text = ("order_no,status,amount,paid_at\nKM202411221530000001,已发货,30,2026-11-23 13:00\n"
            "KM202411221530000002,半路丢了,30,\nKM202411221530000003,已发货,三十,\n"
            ",已发货,30,\n")
    result = import_csv(k.store, write_csv(tmp_path / "bad.csv", text), k.config.tz, NOW)
    assert result.written == 0
    assert [e.split(":")[0] for e in result.errors] == ["line 3", "line 4", "line 5"]
    assert "半路丢了" in result.errors[0] and "amount" in result.errors[1]
    assert k.store.db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_a_file_without_the_needed_columns_is_refused(make_shop: Callable[..., Kefu],
                                                      tmp_path: Path) -> None:
    k = make_shop()
    result = import_csv(k.store, write_csv(tmp_path / "x.csv", "名字,电话\n张三,1\n"),
                        k.config.tz, NOW)
    assert result.written == 0 and "order_no, status" in result.errors[0]


def test_import_reads_a_gb18030_export(make_shop: Callable[..., Kefu], tmp_path: Path) -> None:
    k = make_shop()
    path = write_csv(tmp_path / "gbk.csv", CHINESE_EXPORT, encoding="gb18030")
    assert import_csv(k.store, path, k.config.tz, NOW).written == 2


def test_cli_import_reports_and_exits_by_result(
        make_shop: Callable[..., Kefu], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop()
    config = str(tmp_path / "kefu.yaml")
    good = write_csv(tmp_path / "o.csv", CHINESE_EXPORT)
    assert main(["--config", config, "orders", "import", str(good)]) == 0
    assert "2 order(s) imported" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", "order_no,status\nKM202411221530000009,丢了\n")
    assert main(["--config", config, "orders", "import", str(bad)]) == 1
    assert "line 2" in capsys.readouterr().err


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
