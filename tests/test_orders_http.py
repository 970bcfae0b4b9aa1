"""The http order backend against a real local server: mapping, retries, timeouts, remedies."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import door
from bot.config import ConfigError, load_config
from bot.kefu import Kefu
from bot.orders import BackendError
from bot.orders.calls import perform
from bot.orders.http import HttpOrders
from bot.orders.settings import HttpSettings
from bot.records import Outgoing
from tests.fixtures_core import Buyer, FakeClock, agent
from tests.fixtures_orders import (  # noqa: F401
    BUYER,
    ORDER,
    Shop,
    make_shop_fixture,
    orders_matcher_fixture,
    shop_fixture,
)

SH = ZoneInfo("Asia/Shanghai")
PAID = int(datetime(2026, 11, 23, 13, 50, tzinfo=SH).timestamp())
FIELDS = {"order_no": "data.order_id", "status": "data.state", "buyer": "data.tg_id",
          "amount": "data.price", "paid_at": "data.paid_time", "code_ref": "data.card",
          "pay_channel": "data.pay", "reference": "data.request_id"}
STATES = {"2": "已发货", "5": "充值失败", "6": "已退款"}


def shop_order(state: int = 2, **data: object) -> dict[str, object]:
    """The order as the shop's API returns it."""
    return {"code": 0, "data": {"order_id": ORDER, "state": state, "tg_id": BUYER,
                                "price": "30.00", "paid_time": PAID,
                                "card": "ABCD-EFGH-JKLM-9WXYZ", "pay": "支付宝", **data}}


def settings(shop: Shop, **kw: object) -> HttpSettings:
    base = dict(lookup_url=shop.url + "/orders/{order_no}", token_env="SHOP_TOKEN",
                headers=(("Authorization", "Bearer {token}"),),
                fields=tuple(FIELDS.items()), statuses=tuple(STATES.items()),
                timeout_seconds=0.5, retries=2)
    return HttpSettings(**{**base, **kw})  # type: ignore[arg-type]


def client(shop: Shop, pauses: list[float] | None = None, **kw: object) -> HttpOrders:
    sleep = pauses.append if pauses is not None else time.sleep
    return HttpOrders(settings(shop, **kw), SH, env={"SHOP_TOKEN": "s3cret"}, sleep=sleep)


def test_lookup_maps_the_shops_json_and_sends_the_token(shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order())
    order = client(shop).lookup(ORDER)
    assert order is not None and (order.status, order.amount, order.buyer) == ("已发货", 30, "42")
    assert order.paid_at == datetime(2026, 11, 23, 13, 50, tzinfo=SH)
    assert order.code_tail == "WXYZ" and "ABCD" not in repr(order)
    [seen] = shop.requests("/orders/")
    assert seen["path"] == f"/orders/{ORDER}"
    assert seen["headers"]["Authorization"] == "Bearer s3cret"


def test_404_or_a_body_without_a_status_means_no_such_order(shop: Shop) -> None:
    assert client(shop).lookup(ORDER) is None  # the shop answers 404 for unknown paths
    shop.answer("/orders/", 200, {"code": 1, "msg": "订单不存在", "data": None})
    assert client(shop).lookup(ORDER) is None


def test_5xx_is_retried_with_backoff_then_succeeds(shop: Shop) -> None:
    shop.answer("/orders/", 503, {"message": "busy"}, times=2)
    shop.answer("/orders/", 200, shop_order())
    pauses: list[float] = []
    assert client(shop, pauses).lookup(ORDER) is not None
    assert len(shop.requests()) == 3 and pauses == [0.2, 0.4]


def test_5xx_every_time_is_a_backend_error_after_the_retries(shop: Shop) -> None:
    shop.answer("/orders/", 502, {"message": "bad gateway"})
    with pytest.raises(BackendError, match="HTTP 502"):
        client(shop, [], retries=2).lookup(ORDER)
    assert len(shop.requests()) == 3


def test_other_4xx_answers_are_not_retried(shop: Shop) -> None:
    shop.answer("/orders/", 401, {"message": "bad token"})
    with pytest.raises(BackendError, match="HTTP 401"):
        client(shop, []).lookup(ORDER)
    assert len(shop.requests()) == 1


def test_a_slow_shop_times_out_and_is_retried(shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order(), delay=2.0)
    started = time.monotonic()
    with pytest.raises(BackendError, match="timed out"):
        client(shop, [], timeout_seconds=0.2, retries=1).lookup(ORDER)
    assert time.monotonic() - started < 1.0
    assert len(shop.requests()) == 2


def test_one_call_never_outlasts_its_time_budget(shop: Shop,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.orders.http.MAX_SECONDS", 0.8)  # 5 s in production
    shop.answer("/orders/", 200, shop_order(), delay=3.0)
    started = time.monotonic()
    with pytest.raises(BackendError):
        client(shop, timeout_seconds=0.5, retries=5).lookup(ORDER)
    assert time.monotonic() - started < 1.3
    assert len(shop.requests()) <= 3  # 0.5 s, a pause, then only what is left


def test_a_refused_connection_is_a_backend_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = HttpSettings(lookup_url=f"http://127.0.0.1:{port}/orders/{{order_no}}", retries=1)
    with pytest.raises(BackendError):
        HttpOrders(closed, SH, sleep=lambda _: None).lookup(ORDER)


def test_an_answer_that_is_not_json_is_a_backend_error(shop: Shop) -> None:
    shop.answer("/orders/", 200, b"<html>maintenance</html>")
    with pytest.raises(BackendError, match="not JSON"):
        client(shop).lookup(ORDER)


def test_a_missing_token_stops_the_call_and_the_start() -> None:
    with pytest.raises(BackendError, match="SHOP_TOKEN"):
        HttpOrders(HttpSettings(lookup_url="http://127.0.0.1:9/{order_no}",
                                token_env="SHOP_TOKEN"), SH, env={}).lookup(ORDER)


def test_refund_posts_json_with_an_idempotency_key(shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order(5))
    shop.answer("/refund/", 200, {"data": {"request_id": "R-77"}})
    c = client(shop, refund_url=shop.url + "/refund/{order_no}")
    order = c.lookup(ORDER)
    assert order is not None and c.can_refund and not c.can_resend
    result = c.request_refund(order, "kefu 小额订单快速退款")
    assert result.ok and result.reference == "R-77"
    [post] = shop.requests("/refund/")
    assert post["method"] == "POST" and post["json"]["order_no"] == ORDER
    assert post["json"]["amount"] == 30.0
    assert post["headers"]["Idempotency-Key"] == f"kefu-refund-{ORDER}"


def test_a_refund_the_shop_refuses_is_not_ok(shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order(5))
    shop.answer("/refund/", 409, {"message": "已退款"})
    c = client(shop, refund_url=shop.url + "/refund/{order_no}")
    result = c.request_refund(c.lookup(ORDER), "x")  # type: ignore[arg-type]
    assert not result.ok and "409" in result.detail and "已退款" in result.detail


# --- through the core --------------------------------------------------------------------


class NetworkInTransaction(AssertionError):
    """A connection was opened while kefu held a write transaction."""


def forbid_network_in_transactions(monkeypatch: pytest.MonkeyPatch, kefus: list[Kefu]) -> None:
    """Make any outgoing connection fail loudly while one of these kefus is in a transaction."""
    real = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        if any(k.store.db.conn.in_transaction for k in kefus):
            raise NetworkInTransaction(f"connect to {address} inside a write transaction")
        real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def http_kefu(make_shop: Callable[..., Kefu], shop: Shop,
              monkeypatch: pytest.MonkeyPatch) -> Callable[..., Kefu]:
    """A kefu whose order backend is the local shop API; it must never call the shop while
    it holds a write transaction (every test through the core below checks that)."""
    monkeypatch.setenv("SHOP_TOKEN", "s3cret")
    made: list[Kefu] = []
    forbid_network_in_transactions(monkeypatch, made)

    def make(**http: object) -> Kefu:
        config = {"lookup_url": shop.url + "/orders/{order_no}", "token_env": "SHOP_TOKEN",
                  "headers": {"Authorization": "Bearer {token}"}, "fields": FIELDS,
                  "statuses": STATES, "timeout_seconds": 0.3, "retries": 1, **http}
        made.append(make_shop({"backend": "http", "http": config}, env={"SHOP_TOKEN": "s3cret"}))
        return made[-1]
    return make


def test_a_shop_call_inside_a_transaction_fails_loudly(
        http_kefu: Callable[..., Kefu], shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order())
    k = http_kefu()
    backend = HttpOrders(settings(shop), SH, env={"SHOP_TOKEN": "s3cret"})
    with k.store.transaction(), pytest.raises(NetworkInTransaction):
        backend.lookup(ORDER)
    assert backend.lookup(ORDER) is not None  # outside one, the same call goes through


def ticket(k: Kefu) -> dict[str, object]:
    row = dict(next(iter(k.store.db.query("SELECT * FROM tickets ORDER BY id"))))
    return {**row, "details": json.loads(row["details"])}


def events(k: Kefu) -> list[str]:
    return [e["event"] for e in k.store.ticket_events.of(1)]


def test_a_failing_order_system_hands_the_buyer_to_a_person_with_nothing_lost(
        http_kefu: Callable[..., Kefu], shop: Shop) -> None:
    shop.answer("/orders/", 503, {"message": "down"})
    k = http_kefu()
    reply = Buyer(k, BUYER).says(f"付了钱卡密没到 {ORDER} 帮我补发 花了五十块")
    assert "订单系统暂时连不上" in reply and "已受理 (卡密未到账 · 补发)" in reply
    t = ticket(k)
    assert (t["order_no"], t["demand"], t["amount"]) == (ORDER, "补发", 50)
    assert "order_lookup_failed" in events(k)
    assert "HTTP 503" in t["details"]["order_notes"][0]  # type: ignore[index]


def test_a_timeout_mid_intake_keeps_what_was_collected(http_kefu: Callable[..., Kefu],
                                                       shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order(), delay=2.0)
    k = http_kefu()
    buyer = Buyer(k, BUYER)
    buyer.says("卡密没收到")
    started = time.monotonic()
    reply = buyer.says(ORDER)
    assert time.monotonic() - started < 1.5
    assert "订单系统暂时连不上" in reply and "怎么处理" in reply
    assert "已受理" in buyer.presses("补发")
    assert ticket(k)["order_no"] == ORDER


def test_a_small_failed_order_is_refunded_through_the_shop(http_kefu: Callable[..., Kefu],
                                                           shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order(5))
    shop.answer("/refund/", 200, {"data": {"request_id": "R-77"}})
    k = http_kefu(refund_url=shop.url + "/refund/{order_no}")
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"充值失败了 {ORDER}")
    assert "1 小时内原路退回 (15:00 前) 你付款的支付宝" in reply
    t = ticket(k)
    assert t["stage"] == "处理" and t["first_reply_at"]
    assert t["details"]["refund"]["state"] == "requested"  # type: ignore[index]
    assert "refund_requested" in events(k) and len(shop.requests("/refund/")) == 1
    staff = "\n".join(o.text for o in buyer.last if o.audience == "staff")
    assert "已向商城提交退款 (参考号 R-77)" in staff


def track(k: Kefu) -> list[Outgoing]:
    """A refund-tracking round through the front door, the shop's lookups made in between."""
    return list(door.run(k, door.TrackRefunds(), perform).messages)


def test_tracking_resolves_the_refund_once_the_shop_shows_it(
        http_kefu: Callable[..., Kefu], shop: Shop, clock: FakeClock) -> None:
    shop.answer("/orders/", 200, shop_order(5))
    shop.answer("/refund/", 200, {"data": {"request_id": "R-77"}})
    k = http_kefu(refund_url=shop.url + "/refund/{order_no}")
    Buyer(k, BUYER).says(f"充值失败了 {ORDER}")
    assert track(k) == [] and ticket(k)["stage"] == "处理"  # not refunded yet
    shop.answers["/orders/"] = [(200, shop_order(6, refunded_time=PAID), 0.0)]
    clock.advance(minutes=20)
    outs = track(k)
    assert ticket(k)["stage"] == "已解决" and "refund_done" in events(k)
    assert "原路退款" in outs[0].text and "工单 #T1001 已解决" in outs[0].text


def test_a_refund_the_shop_refuses_goes_to_an_agent_with_one_tap(
        http_kefu: Callable[..., Kefu], shop: Shop) -> None:
    shop.answer("/orders/", 200, shop_order(5))
    shop.answer("/refund/", 500, {"message": "oops"})
    k = http_kefu(refund_url=shop.url + "/refund/{order_no}")
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"充值失败了 {ORDER}")
    assert "自动退款这次没能提交" in reply and "怎么处理" not in reply  # demand known: 退款
    assert "已受理 (充值失败 · 退款)" in reply
    card = next(o for o in buyer.last if o.kind == "card")
    assert "批准退款" in [c.label for c in card.choices]
    assert "refund_request_failed" in events(k)
    shop.answers["/refund/"] = [(200, {"data": {"request_id": "R-78"}}, 0.0)]
    result = agent(k, 501, "stage", 1, "退款")
    assert result.ok and "已向商城提交, 参考号 R-78" in result.outs[1].text
    assert "refund_requested" in events(k)


def test_a_delivered_code_is_resent_through_the_shop_never_the_chat(
        http_kefu: Callable[..., Kefu], shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    shop.answer("/orders/", 200, shop_order(2))
    shop.answer("/resend/", 200, {"data": {"request_id": "S-1"}})
    k = http_kefu(resend_url=shop.url + "/resend/{order_no}")
    buyer = Buyer(k, BUYER)
    reply = buyer.says(f"付了钱卡密没到 {ORDER}")
    assert "已通过商城系统重新发送卡密" in reply and "卡密尾号 WXYZ" in reply
    assert "ABCD" not in reply and "工单 #T1001" in reply
    assert ticket(k)["stage"] == "已解决" and "resend_requested" in events(k)
    assert shop.requests("/resend/")[0]["headers"]["Idempotency-Key"] == \
        f"kefu-resend-{ORDER}-T1001"
    assert "又出现了吗" in buyer.says("还是没收到")  # the same ticket is offered to reopen
    assert "是, 重新打开 #T1001" in buyer.choices()
    rows = k.store.db.query("SELECT text FROM outbox UNION ALL SELECT data FROM ticket_events")
    assert not any("ABCD" in r["text"] for r in rows) and "ABCD" not in caplog.text


def test_the_token_variable_must_be_set_at_start(tmp_path: Path) -> None:
    path = tmp_path / "kefu.yaml"
    path.write_text("orders:\n  backend: http\n  http:\n    lookup_url: "
                    "https://shop.example.com/o/{order_no}\n    token_env: SHOP_TOKEN\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"orders\.http\.token_env: .*SHOP_TOKEN"):
        load_config(path, env={})
    assert load_config(path, env={"SHOP_TOKEN": "x"}).orders.backend == "http"


def test_a_shop_that_drips_its_headers_is_cut_at_the_deadline(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.orders.http.MAX_SECONDS", 1.0)  # 5 s in production
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def drip() -> None:  # one byte of the status line every 0.1 s: no read ever times out
        conn, _ = server.accept()
        with conn:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 20:
                if stop.wait(0.1):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    port = server.getsockname()[1]
    backend = HttpOrders(HttpSettings(lookup_url=f"http://127.0.0.1:{port}/o/{{order_no}}",
                                      timeout_seconds=0.5, retries=0), SH)
    started = time.monotonic()
    with pytest.raises(BackendError, match="within"):
        backend.lookup(ORDER)
    assert time.monotonic() - started < 1.3
    stop.set()
    server.close()
