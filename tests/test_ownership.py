"""Proving an order is yours where the shop knows buyers by contact, not Telegram id."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.kefu import Kefu
from bot.orders import Order
from bot.orders import ownership as own
from tests.fixtures_core import Buyer
from tests.fixtures_orders import (  # noqa: F401 (fixtures)
    CODE,
    add_order,
    make_shop_fixture,
    orders_matcher_fixture,
)

ORDER_NO = "KM202411221530123456"
CONTACT = "Buyer.Li@QQ.com"


@pytest.fixture
def shop(make_shop: Callable[..., Kefu]) -> Kefu:
    """kefu's own orders table, filled from a shop that records the checkout email."""
    k = make_shop({"backend": "sqlite", "owner_proof": "contact"})
    add_order(k, ORDER_NO, buyer=CONTACT)
    return k


def test_nothing_is_said_about_the_order_until_the_email_matches(shop: Kefu) -> None:
    buyer = Buyer(shop)
    asked = buyer.says(f"付了钱卡密没到 {ORDER_NO} 补发")
    assert "请先核实" in asked
    assert not any(word in asked for word in ("王者荣耀", "尾号", "发货", "qq.com"))
    answered = buyer.says("buyer.li @qq.com")  # case and spaces do not matter
    assert own.PROVEN in answered and "尾号" in answered
    assert CODE not in answered and CONTACT.lower() not in answered.lower()


def test_a_proven_order_is_not_asked_about_again(shop: Kefu) -> None:
    buyer = Buyer(shop)
    buyer.says(f"卡密没到 {ORDER_NO} 补发")
    buyer.says(CONTACT)
    again = buyer.says(f"{ORDER_NO} 这个单的卡密在哪看")
    assert "请先核实" not in again
    rows = list(shop.store.db.query("SELECT user_id, order_no, how FROM order_proofs"))
    assert rows == [{"user_id": 42, "order_no": ORDER_NO, "how": "contact"}]


def test_three_misses_hand_over_and_disclose_nothing(shop: Kefu) -> None:
    buyer = Buyer(shop)
    buyer.says(f"卡密没到 {ORDER_NO} 补发")
    first, second = buyer.says("wrong@qq.com"), buyer.says("another@163.com")
    assert "还可以再试 2 次" in first and "还可以再试 1 次" in second
    last = buyer.says("13800001111")
    assert own.GIVE_UP in last and "#T1001" in last
    told = [m["text"] for m in shop.store.db.query(
        "SELECT text FROM messages WHERE direction = 'out' AND user_id = 42")]
    assert not any("王者荣耀" in t or "尾号" in t or "qq.com" in t.lower() for t in told)
    ticket = shop.store.tickets.get(1)
    assert ticket is not None and ticket.order_no == ORDER_NO
    assert any("未能核实" in n for n in ticket.details["order_notes"])
    assert ticket.amount is None  # the buyer's ticket summary must not show the shop's sum


def test_what_the_buyer_typed_as_proof_is_never_kept(shop: Kefu) -> None:
    buyer = Buyer(shop)
    buyer.says(f"卡密没到 {ORDER_NO} 补发")
    buyer.says("my-secret-pass")
    buyer.says(CONTACT)
    stored = json.dumps(list(shop.store.db.query("SELECT text FROM messages")),
                        ensure_ascii=False)
    assert "my-secret-pass" not in stored and CONTACT not in stored
    assert own.HIDDEN in stored


def test_an_unknown_order_is_asked_about_exactly_like_a_known_one(shop: Kefu) -> None:
    known, unknown = Buyer(shop, 42), Buyer(shop, 43)
    said_known = known.says(f"卡密没到 {ORDER_NO} 补发")
    said_unknown = unknown.says("卡密没到 KM202411221530999999 补发")
    assert said_known == said_unknown  # existence of an order number is not revealed
    for _ in range(3):
        last = unknown.says(CONTACT)
    assert own.GIVE_UP in last
    ticket = shop.store.tickets.get(1)
    assert ticket is not None and "查不到" in " ".join(ticket.details["order_notes"])


def test_a_corrected_number_is_checked_afresh(shop: Kefu) -> None:
    add_order(shop, "KM202411221530654321", buyer="other@qq.com")
    buyer = Buyer(shop)
    buyer.says("卡密没到 KM202411221530654321 补发")
    assert "请先核实" in buyer.says(f"写错了 是 {ORDER_NO}")
    assert own.PROVEN in buyer.says(CONTACT)
    assert shop.store.order_proofs.proven(42, ORDER_NO)
    assert not shop.store.order_proofs.proven(42, "KM202411221530654321")


def test_asking_for_a_person_while_asked_to_prove_opens_a_ticket(shop: Kefu) -> None:
    buyer = Buyer(shop)
    buyer.says(f"卡密没到 {ORDER_NO} 补发")
    reply = buyer.says("转人工")
    assert "#T1001" in reply and "请先核实" not in reply
    assert shop.store.tickets.get(1) is not None


def test_telegram_shops_keep_the_direct_match(make_shop: Callable[..., Kefu]) -> None:
    k = make_shop({"backend": "sqlite"})
    add_order(k, ORDER_NO)  # buyer: this Telegram id
    assert "请先核实" not in Buyer(k).says(f"卡密没到 {ORDER_NO} 补发")


@pytest.mark.parametrize(("typed", "how"), [
    ("pass1234", "password"), ("ＰＡＳＳ１２３４", "password"), ("密码是 pass1234", "password"),
    ("138 0013 8000", "contact"), ("我的手机 13800138000", "contact"),
    ("wrong", None), ("", None), ("pass12345", None), ("1380013800", None)])
def test_matches_compares_without_case_spaces_or_width(typed: str, how: str | None) -> None:
    order = Order("KM1", "已发货", buyer="13800138000", lookup_password="PASS1234")
    assert own.matches(typed, order) == how


def test_empty_shop_values_never_match() -> None:
    assert own.matches("", Order("KM1", "已发货")) is None
    assert own.matches("anything", Order("KM1", "已发货", buyer=" ")) is None
    assert "PASS" not in repr(Order("KM1", "已发货", lookup_password="PASS1234"))
