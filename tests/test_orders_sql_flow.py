"""Whole conversations with a dujiaoka / acg-faka / Dujiao-Next shop, through the front door,
against the real databases.

None of these systems records a Telegram id, so every conversation proves the order first
with what the shop knows (the checkout email or contact, or the lookup password).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.kefu import Kefu
from tests.fixtures_core import Buyer
from tests.fixtures_orders import BUYER, make_shop_fixture, orders_matcher_fixture  # noqa: F401
from tests.fixtures_shopdb import ShopDbs, shop_dbs_fixture  # noqa: F401
from tests.shop_data import FULL_CODES, RO_PASSWORD
from tools.cli import main


@pytest.fixture(name="sql_shop")
def sql_shop_fixture(make_shop: Callable[..., Kefu], shop_dbs: ShopDbs,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Kefu]]:
    """A kefu on one of the three systems, its pools closed afterwards."""
    made: list[Kefu] = []

    def make(backend: str) -> Kefu:
        monkeypatch.setenv("KEFU_ORDERS_DSN", shop_dbs.url(backend))
        k = make_shop({"backend": backend})
        made.append(k)
        return k
    yield make
    for k in made:
        k.shop_databases.close()


def tickets(k: Kefu) -> list[dict[str, object]]:
    return [dict(r, details=json.loads(r["details"]))
            for r in k.store.db.query("SELECT * FROM tickets ORDER BY id")]


def test_a_delivered_dujiaoka_order_is_answered_with_the_tail_and_no_code_is_kept(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("dujiaoka")
    buyer = Buyer(k, BUYER)
    asked = buyer.says("卡密没到 DJKDELIVERED0001")
    assert "请先核实" in asked and "WXYZ" not in asked and "王者荣耀" not in asked
    reply = buyer.says("PW123")  # dujiaoka's search_pwd, case aside
    assert "DJKDELIVERED0001" in reply and "卡密尾号 WXYZ" in reply and "13:51 发货" in reply
    buyer.presses("没解决, 转人工")
    buyer.says("还是没有, 麻烦看看 DJKCRLF000000010")
    # Every byte kefu wrote: no full code anywhere in its database file.
    raw = sqlite3.connect(k.config.database).execute("SELECT 1").fetchone()
    assert raw == (1,)
    with open(k.config.database, "rb") as db:
        dump = db.read()
    for extra in (k.config.database.with_name(k.config.database.name + "-wal"),):
        if extra.exists():
            dump += extra.read_bytes()
    assert b"WXYZ" in dump  # the tail is kept, as designed
    assert not [c for c in FULL_CODES if c.encode() in dump]


def test_an_expired_unpaid_dujiaoka_order_says_no_money_was_taken(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("dujiaoka")
    buyer = Buyer(k, BUYER)
    buyer.says("查一下订单 DJKEXPIRED000007")
    reply = buyer.says("f@qq.com")
    assert "已过期未支付, 没有扣款" in reply and "重新下单" in reply
    assert tickets(k) == []


def test_a_failed_small_dujiaoka_order_goes_to_a_person_with_the_refund_button(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("dujiaoka")
    buyer = Buyer(k, BUYER)
    buyer.says("卡密没到 DJKFAILED0000005")
    reply = buyer.says("我的邮箱是 D@QQ.COM")
    assert "1 小时内原路退回" in reply and "工单 #T1001" in reply
    [row] = tickets(k)
    assert row["details"]["refund"]["state"] == "awaiting_approval"
    card = next(o for o in buyer.last if o.kind == "card")
    assert "批准退款" in [c.label for c in card.choices]
    assert "发货失败" in json.dumps(row["details"], ensure_ascii=False)


def test_no_stock_is_said_honestly_and_a_person_decides(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("dujiaoka")
    buyer = Buyer(k, BUYER)
    buyer.says("卡密没到 DJKNOSTOCK000006, 我要补发")
    reply = buyer.says("e@qq.com")
    assert "缺货" in reply and "工单" in reply
    assert "缺货" in json.dumps(tickets(k)[0]["details"], ensure_ascii=False)


def test_acgfaka_and_dujiao_next_numbers_are_found_in_buyer_words(
        sql_shop: Callable[[str], Kefu]) -> None:
    acg = Buyer(sql_shop("acgfaka"), BUYER)
    assert "请先核实" in acg.says("付了钱卡密没到 100241122153012345")
    assert "卡密尾号 LAST" in acg.says("138 0013 8000")  # the contact typed at checkout
    k = sql_shop("dujiao_next")
    dn = Buyer(k, BUYER)
    dn.says("付了钱卡密没到 DN202602110004 帮我补发")
    partial = dn.says("guest@example.com")
    assert "只发出了一部分卡密" in partial
    assert "部分发货" in json.dumps(tickets(k)[0]["details"], ensure_ascii=False)


def test_a_dead_shop_database_hands_over_with_everything_collected(
        sql_shop: Callable[[str], Kefu], shop_dbs: ShopDbs,
        monkeypatch: pytest.MonkeyPatch) -> None:
    k = sql_shop("dujiaoka")
    monkeypatch.setenv("KEFU_ORDERS_DSN", shop_dbs.url("dujiaoka").replace(
        str(shop_dbs.mysql.port), "1"))
    reply = Buyer(k, BUYER).says("付了钱卡密没到 DJKDELIVERED0001 帮我补发")
    assert "订单系统暂时连不上" in reply and "已受理" in reply
    [row] = tickets(k)
    assert (row["order_no"], row["demand"]) == ("DJKDELIVERED0001", "补发")
    assert "cannot connect" in json.dumps(row["details"])


def run_check(tmp_path: Path, backend: str, order_no: str, dsn: str,
              capsys: pytest.CaptureFixture[str], **extra: str) -> tuple[int, str, str]:
    path = tmp_path / "check.yaml"
    settings = ", ".join(f"{k}: {v}" for k, v in {"backend": backend, **extra}.items())
    path.write_text(f"database: {tmp_path / 'k.db'}\norders: {{{settings}}}\n", encoding="utf-8")
    env = {"KEFU_ORDERS_DSN": dsn} if dsn else {}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("KEFU_ORDERS_DSN", raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        code = main(["--config", str(path), "orders", "check", order_no])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_kefu_orders_check_prints_the_mapped_fields_or_one_clear_line(
        tmp_path: Path, shop_dbs: ShopDbs, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_check(tmp_path, "dujiaoka", "DJKDELIVERED0001",
                             shop_dbs.url("dujiaoka"), capsys)
    assert code == 0 and "status          已发货" in out and "****WXYZ" in out
    assert "lookup_password set" in out and "pw123" not in out and " ms)" in out
    assert "b***@qq.com" in out
    assert not [c for c in FULL_CODES if c in out]
    code, out, _ = run_check(tmp_path, "dujiao_next", "DN202602110005",
                             shop_dbs.url("dujiao_next"), capsys)
    assert code == 0 and "****ZZ99" in out
    code, out, _ = run_check(tmp_path, "dujiaoka", "NOSUCHORDER00001",
                             shop_dbs.url("dujiaoka"), capsys)
    assert code == 1 and "no order NOSUCHORDER00001" in out
    failures = {
        "": "KEFU_ORDERS_DSN is not set",
        shop_dbs.url("acgfaka").replace(RO_PASSWORD, "Bad-Pw-77"): "access denied",
        shop_dbs.url("acgfaka").replace("127.0.0.1", "nohost.invalid"): "unknown host",
    }
    for dsn, words in failures.items():
        code, out, err = run_check(tmp_path, "acgfaka", "100241122153012345", dsn, capsys)
        assert code == 2 and words in err and "Traceback" not in err + out
        assert len(err.strip().splitlines()) == 1 and "Bad-Pw-77" not in err
    code, _, err = run_check(tmp_path, "acgfaka", "100241122153012345",
                             shop_dbs.url("acgfaka"), capsys, table_prefix="shop_")
    assert code == 2 and "orders.table_prefix, now 'shop_'" in err


def test_three_wrong_emails_hand_over_and_disclose_nothing(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("dujiaoka")
    buyer = Buyer(k, BUYER)
    buyer.says("卡密没到 DJKDELIVERED0001 补发")
    for guess in ("someone@qq.com", "pw1234", "13800001111"):
        last = buyer.says(guess)
    assert "工单 #T1001" in last and "人工" in last
    told = " ".join(m["text"] for m in k.store.db.query(
        "SELECT text FROM messages WHERE direction = 'out'"))
    assert not any(word in told for word in ("WXYZ", "王者荣耀", "buyer@qq.com", "b***"))
    [row] = tickets(k)
    assert "未能核实" in json.dumps(row["details"], ensure_ascii=False)
    assert not k.store.order_proofs.proven(BUYER, "DJKDELIVERED0001")


def test_a_cancelled_dujiao_next_order_says_no_money_was_taken(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("dujiao_next")
    buyer = Buyer(k, BUYER)
    assert "请先核实" in buyer.says("查一下订单 DN202602110009 怎么没了")
    reply = buyer.says("GUEST@example.com")
    assert "已过期未支付, 没有扣款" in reply and tickets(k) == []


def test_a_paid_acgfaka_order_never_delivered_goes_to_the_refund_button(
        sql_shop: Callable[[str], Kefu]) -> None:
    k = sql_shop("acgfaka")  # acg-faka has no failed state: paid, undelivered past the hour
    buyer = Buyer(k, BUYER)
    buyer.says("付了钱卡密没到 100241122153012346")
    reply = buyer.says("buyer@qq.com")
    assert "核实通过" in reply and "没能按时发货" in reply and "1 小时内原路退回" in reply
    card = next(o for o in buyer.last if o.kind == "card")
    assert "批准退款" in [c.label for c in card.choices]
