"""Automatic resends are limited per order and per buyer a day, kept per order number,
and each request's idempotency key names the ticket it is recorded on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.kefu import Kefu
from tests.fixtures_core import Buyer, FakeClock
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    ORDER,
    Shop,
    make_shop_fixture,
    orders_matcher_fixture,
    shop_fixture,
)

SECOND = "KM202411221530654321"
THIRD = "KM202411221530111111"
FIELDS = {"order_no": "data.order_id", "status": "data.state", "buyer": "data.tg_id",
          "amount": "data.price", "code_ref": "data.card", "reference": "data.request_id"}


def delivered(order_no: str) -> dict[str, object]:
    return {"code": 0, "data": {"order_id": order_no, "state": 2, "tg_id": BUYER,
                                "price": "30", "card": "ABCD-EFGH-JKLM-9WXYZ"}}


@pytest.fixture
def resending(make_shop: Callable[..., Kefu], shop: Shop) -> Callable[..., Kefu]:
    """A kefu on a shop API that looks orders up and resends codes."""
    for number in (ORDER, SECOND, THIRD):
        shop.answer(f"/orders/{number}", 200, delivered(number))
    shop.answer("/resend/", 200, {"data": {"request_id": "S-1"}})

    def make(**orders: object) -> Kefu:
        return make_shop({"backend": "http", **orders, "http": {
            "lookup_url": shop.url + "/orders/{order_no}",
            "resend_url": shop.url + "/resend/{order_no}",
            "fields": FIELDS, "statuses": {"2": "已发货"}, "retries": 0}})
    return make


def keys(shop: Shop) -> list[str]:
    return [r["headers"]["Idempotency-Key"] for r in shop.requests("/resend/")]


def test_alternating_two_orders_resends_each_once_a_day(
        resending: Callable[..., Kefu], shop: Shop, clock: FakeClock) -> None:
    k = resending()
    buyer = Buyer(k, BUYER)
    replies = []
    for number in (ORDER, SECOND, ORDER, SECOND, ORDER, SECOND):
        replies.append(buyer.says(f"卡密没收到 {number}"))
        clock.advance(minutes=1)
    assert keys(shop) == [f"kefu-resend-{ORDER}-T1001", f"kefu-resend-{SECOND}-T1002"]
    assert all("重新发送卡密" in r for r in replies[:2])
    assert all("重新发送卡密" not in r for r in replies[2:])
    assert "今天已经补发过了" in replies[2]
    rows = k.store.db.query("SELECT order_no, ticket_id FROM order_actions ORDER BY id")
    assert [(r["order_no"], r["ticket_id"]) for r in rows] == [(ORDER, 1), (SECOND, 2)]


def test_past_the_limit_a_person_checks_on_a_ticket(
        resending: Callable[..., Kefu], shop: Shop, clock: FakeClock) -> None:
    k = resending()
    buyer = Buyer(k, BUYER)
    buyer.says(f"卡密没收到 {ORDER}")
    buyer.says(f"卡密没收到 {SECOND}")
    clock.advance(minutes=30)
    reply = buyer.says(f"卡密没收到 {ORDER}")
    if "怎么处理" in reply:
        reply += buyer.presses("补发")
    assert "今天已经补发过了" in reply and "已受理" in reply
    open_ones = k.store.tickets.all_open()
    assert len(open_ones) == 1 and open_ones[0].order_no == ORDER
    assert "未再自动补发" in open_ones[0].details["order_notes"][-1]
    assert len(shop.requests("/resend/")) == 2


def test_a_new_day_allows_a_resend_again_under_a_new_key(
        resending: Callable[..., Kefu], shop: Shop, clock: FakeClock) -> None:
    k = resending()
    buyer = Buyer(k, BUYER)
    buyer.says(f"卡密没收到 {ORDER}")
    buyer.says(f"卡密没收到 {SECOND}")  # the latest ticket: ORDER's is not offered to reopen
    clock.advance(days=1)
    assert "重新发送卡密" in buyer.says(f"卡密没收到 {ORDER}")
    assert keys(shop)[-1] == f"kefu-resend-{ORDER}-T1003"


def test_a_buyer_has_a_daily_limit_over_all_their_orders(
        resending: Callable[..., Kefu], shop: Shop) -> None:
    k = resending(resends_per_buyer_per_day=2, repeat_claims=10)
    buyer = Buyer(k, BUYER)
    buyer.says(f"卡密没收到 {ORDER}")
    buyer.says(f"卡密没收到 {SECOND}")
    reply = buyer.says(f"卡密没收到 {THIRD}")
    assert "今天已经为你自动补发过" in reply and len(shop.requests("/resend/")) == 2
