"""The http backend's lookups beyond a GET: POST bodies, templates, wrappers, lists, proof."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.orders import BackendError, Proof, ProofNeeded
from bot.orders.calls import LookupOrder, ask, perform_with
from bot.orders.http import HttpOrders
from bot.orders.http_settings import HTTP_DEFAULTS, HttpSettings, parse_http
from bot.orders.http_transport import retry_after
from tests.fixtures_orders import ORDER, Shop, shop_fixture  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
FIELDS = (("order_no", "no"), ("status", "state"), ("code_ref", "card"), ("buyer", "email"))
CARD = "ABCD-EFGH-JKLM-9WXYZ"


def order_json(no: str = ORDER, state: str = "delivered") -> dict[str, object]:
    return {"no": no, "state": state, "card": CARD, "email": "buyer@qq.com"}


def backend(shop: Shop, **kw: object) -> HttpOrders:
    base = dict(lookup_url=shop.url + "/q/{order_no}", fields=FIELDS, retries=0,
                timeout_seconds=1.0)
    return HttpOrders(HttpSettings(**{**base, **kw}), SH, env={})  # type: ignore[arg-type]


def test_a_post_lookup_sends_a_form_built_from_templates(shop: Shop) -> None:
    shop.answer("/query", 200, order_json())
    b = backend(shop, lookup_url=shop.url + "/query", lookup_method="POST",
                lookup_params=(("keywords", "{order_no}"), ("page", "1")))
    assert b.lookup(ORDER) is not None
    [seen] = shop.requests("/query")
    assert seen["method"] == "POST" and seen["form"] == {"keywords": ORDER, "page": "1"}
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_post_lookup_can_send_json(shop: Shop) -> None:
    shop.answer("/query", 200, order_json())
    b = backend(shop, lookup_url=shop.url + "/query", lookup_method="POST",
                lookup_body="json", lookup_params=(("order", "{order_no}"),))
    assert b.lookup(ORDER) is not None
    assert shop.requests("/query")[0]["json"] == {"order": ORDER}


def test_a_get_lookup_adds_its_params_to_the_query_url_encoded(shop: Shop) -> None:
    shop.answer("/q/", 200, order_json())
    b = backend(shop, lookup_url=shop.url + "/q/{order_no}?lang=zh",
                lookup_params=(("email", "{email}"), ("pw", "{password}")))
    assert b.lookup(ORDER, Proof("a+b@qq.com", "p&w d")) is not None
    path = shop.requests("/q/")[0]["path"]
    assert path == f"/q/{ORDER}?lang=zh&email=a%2Bb%40qq.com&pw=p%26w+d"


def test_a_wrapper_is_read_and_its_other_codes_mean_no_such_order(shop: Shop) -> None:
    wrapped = dict(data_path="data", ok_path="status_code", ok_value="0")
    shop.answer("/q/", 200, {"status_code": 0, "msg": "success", "data": order_json()})
    order = backend(shop, **wrapped).lookup(ORDER)
    assert order is not None and order.status == "已发货" and order.code_tail == "WXYZ"
    shop.answers["/q/"] = [(200, {"status_code": 404, "msg": "订单不存在", "data": None}, 0.0)]
    assert backend(shop, **wrapped).lookup(ORDER) is None


def test_a_wrapper_code_the_shop_calls_an_error_is_an_error(shop: Shop) -> None:
    shop.answer("/q/", 200, {"status_code": 500, "msg": "db down", "data": None})
    with pytest.raises(BackendError, match="status_code=500 db down"):
        backend(shop, data_path="data", ok_path="status_code", ok_value="0",
                error_values=("500",)).lookup(ORDER)


def test_a_wrapper_that_says_slow_down_is_throttling(shop: Shop) -> None:
    shop.answer("/q/", 200, {"code": 0, "msg": "请求过于频繁，请稍后再试"})
    with pytest.raises(BackendError, match=r"^限流"):
        backend(shop, ok_path="code", ok_value="200", throttle_words=("频繁",),
                retries=2).lookup(ORDER)
    assert len(shop.requests()) == 1  # asking again would only count against kefu


def test_a_list_answer_gives_the_element_with_the_number_asked(shop: Shop) -> None:
    other = order_json("KM202411221530000000", "paid")
    shop.answer("/q/", 200, {"code": 200, "data": {"list": [other, order_json()]}})
    order = backend(shop, data_path="data.list", ok_path="code", ok_value="200").lookup(ORDER)
    assert order is not None and (order.order_no, order.status) == (ORDER, "已发货")
    shop.answers["/q/"] = [(200, {"code": 200, "data": {"list": [other]}}, 0.0)]
    assert backend(shop, data_path="data.list").lookup(ORDER) is None


def test_a_status_can_be_two_fields_joined(shop: Shop) -> None:
    shop.answer("/q/", 200, {"no": ORDER, "paid": 1, "sent": 0})
    b = backend(shop, fields=(("order_no", "no"), ("status", "paid,sent")),
                statuses=(("1,0", "已支付"), ("1,1", "已发货")))
    order = b.lookup(ORDER)
    assert order is not None and order.status == "已支付"


def test_a_lookup_that_needs_proof_asks_for_it_and_sends_nothing(shop: Shop) -> None:
    b = backend(shop, lookup_params=(("email", "{email}"), ("pw", "{password}")))
    with pytest.raises(ProofNeeded) as raised:
        b.lookup(ORDER)
    assert raised.value.needs == ("contact", "password")
    with pytest.raises(ProofNeeded, match="password"):
        b.lookup(ORDER, Proof(contact="buyer@qq.com"))
    assert shop.requests() == [] and isinstance(raised.value, BackendError)


def test_the_password_never_shows_in_repr_logs_or_errors(
        shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cret-PW"
    proof = Proof("buyer.li@qq.com", secret)
    call = LookupOrder(ORDER, proof)
    assert secret not in repr(call) and "buyer.li@qq.com" not in repr(call)
    shop.answer("/q/", 503, {"message": "down"})
    b = backend(shop, lookup_params=(("email", "{email}"), ("pw", "{password}")), retries=1)
    answered = perform_with(b, call)
    assert answered.error and secret not in answered.error
    assert secret not in caplog.text and "buyer.li" not in caplog.text
    assert "HTTP 503" in answered.error


def test_proof_needed_crosses_the_adapter_as_proof_needed(shop: Shop) -> None:
    b = backend(shop, lookup_params=(("pw", "{password}"),))
    answered = perform_with(b, LookupOrder(ORDER))
    assert answered.proof_needed == ("password",)

    turn = SimpleNamespace(answers={answered.call: answered})  # entered again with answers
    with pytest.raises(ProofNeeded):
        ask(turn, LookupOrder(ORDER))  # type: ignore[arg-type]


def settings_of(**http: object) -> HttpSettings:
    return parse_http({**HTTP_DEFAULTS, **http}, required=True)


def test_settings_check_templates_methods_and_bodies() -> None:
    posted = settings_of(lookup_url="https://s.example/query", lookup_method="post",
                         lookup_params={"keywords": "{order_no}"})
    assert (posted.lookup_method, posted.lookup_body) == ("POST", "form")
    with pytest.raises(ValueError, match=r"lookup_params\.k: unknown placeholder \{mail\}"):
        settings_of(lookup_url="https://s.example/{order_no}", lookup_params={"k": "{mail}"})
    with pytest.raises(ValueError, match="lookup_method"):
        settings_of(lookup_url="https://s.example/{order_no}", lookup_method="PUT")
    with pytest.raises(ValueError, match="lookup_body"):
        settings_of(lookup_url="https://s.example/{order_no}", lookup_body="xml")
    with pytest.raises(ValueError, match=r"containing \{order_no\}"):
        settings_of(lookup_url="https://s.example/query")  # the number goes nowhere
    assert settings_of(lookup_url="https://s.example/{order_no}").records_telegram
    assert not settings_of(lookup_url="https://s.example/{order_no}",
                           records_telegram=False).records_telegram


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert retry_after("3") == 3.0 and retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Mon, 23 Nov 2026 06:00:02 GMT", now) == 2.0
