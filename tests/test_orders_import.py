"""`kefu orders import`: the shop's CSV export into the `orders` table, all rows or none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.kefu import Kefu
from bot.orders.sqlite import SqliteOrders
from tests.fixtures_orders import (  # noqa: F401
    CODE,
    ORDER,
    make_shop_fixture,
    orders_matcher_fixture,
    write_csv,
)
from tools.cli import main
from tools.orders_import import import_csv

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
CHINESE_EXPORT = (
    "订单号,买家,商品,金额,付款时间,状态,卡密,支付方式\n"
    f"{ORDER},42,王者荣耀 60 点券,¥30.00,2026-11-23 13:50:00,发货成功,{CODE},支付宝\n"
    "KM202411221530000002,tg:43,话费 100 元,100,2026-11-23 13:00,充值失败,,微信\n")


def backend(k: Kefu) -> SqliteOrders:
    return SqliteOrders(k.store, k.config.tz)


def codes_in_db(k: Kefu) -> list[str]:
    return [r["code_ref"] for r in k.store.db.query("SELECT code_ref FROM orders")]


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



def test_cli_import_of_a_missing_file_says_file_not_found(
        make_shop: Callable[..., Kefu], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop()
    config = str(tmp_path / "kefu.yaml")
    assert main(["--config", config, "orders", "import", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "file not found" in err and "nope.csv" in err


def test_cli_import_checks_order_numbers_against_the_order_pattern(
        make_shop: Callable[..., Kefu], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    k = make_shop()
    config = str(tmp_path / "kefu.yaml")
    text = f"order_no,status\n{ORDER},已发货\nKM2024,已发货\n"
    assert main(["--config", config, "orders", "import", str(write_csv(tmp_path / "o.csv", text))]
                ) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "KM2024" in err and "order_pattern" in err
    assert codes_in_db(k) == []  # one bad row imports none
