"""The acg-faka and Dujiao-Next presets against fakes of their public APIs: configuration
alone, statuses, codes masked, proof, throttling and slow answers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.config import load_config
from bot.kefu import bootstrap
from bot.orders import BackendError, Proof, ProofNeeded
from bot.orders.http import HttpOrders
from bot.orders.settings import HttpSettings
from intents.match import Matcher
from tests.fake_shop_apis import AcgFaka, DujiaoNext, serve
from tests.fixtures_core import Buyer, FakeClock
from tests.fixtures_orders import ORDERS_FAQ, orders_matcher_fixture  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
TRADE_NO = "123261123135000456"  # acg-faka: 3 random, yymmddHHMMSS, 3 random
DN_NO = "DN202602110001"
CODE = "ABCD-EFGH-JKLM-9WXYZ"
EMAIL, PASSWORD = "buyer@qq.com", "pw-1234"


@pytest.fixture
def acg() -> Iterator[AcgFaka]:
    with serve(AcgFaka()) as api:
        yield api  # type: ignore[misc]


@pytest.fixture
def dujiao() -> Iterator[DujiaoNext]:
    with serve(DujiaoNext()) as api:
        yield api  # type: ignore[misc]


def settings(tmp_path: Path, http: dict[str, object], **orders: object) -> HttpSettings:
    """The http settings kefu builds from a kefu.yaml holding only these keys."""
    path = tmp_path / "kefu.yaml"
    path.write_text(yaml.safe_dump({"orders": {"backend": "http", "http": http, **orders}}),
                    encoding="utf-8")
    return load_config(path, env={}).orders.http


def acg_backend(tmp_path: Path, api: AcgFaka, pauses: list[float] | None = None) -> HttpOrders:
    s = settings(tmp_path, {"preset": "acgfaka_public", "base_url": api.url + "/"})
    return HttpOrders(s, SH, env={}, sleep=pauses.append if pauses is not None else time.sleep)


def dujiao_backend(tmp_path: Path, api: DujiaoNext) -> HttpOrders:
    s = settings(tmp_path, {"preset": "dujiao_next_guest", "base_url": api.url})
    return HttpOrders(s, SH, env={})


def test_the_acgfaka_preset_needs_only_the_base_url(tmp_path: Path) -> None:
    s = settings(tmp_path, {"preset": "acgfaka_public", "base_url": "https://faka.example/"})
    assert s.lookup_url == "https://faka.example/user/api/index/query"
    assert (s.lookup_method, s.lookup_body, s.data_path) == ("POST", "form", "data.list")
    assert dict(s.lookup_params)["keywords"] == "{order_no}" and not s.records_telegram
    with pytest.raises(Exception, match=r"orders\.http\.base_url: required"):
        settings(tmp_path, {"preset": "acgfaka_public"})
    with pytest.raises(Exception, match=r"orders\.http\.preset: expected one of"):
        settings(tmp_path, {"preset": "dujiaoka", "base_url": "https://x.example"})


def test_a_shops_own_keys_win_over_its_preset(tmp_path: Path) -> None:
    s = settings(tmp_path, {"preset": "acgfaka_public", "base_url": "https://faka.example",
                            "timeout_seconds": 3, "statuses": {"1,0": "已发货"}})
    assert s.timeout_seconds == 3 and dict(s.statuses)["1,0"] == "已发货"
    assert dict(s.statuses)["0,0"] == "待支付"  # the rest of the preset's map stays


def test_acgfaka_orders_in_every_state(tmp_path: Path, acg: AcgFaka) -> None:
    acg.add(TRADE_NO, status=1, delivery_status=1, secret=CODE, contact="13800001111")
    acg.add("123261123135000457", status=1, delivery_status=0)
    acg.add("123261123135000458", status=0, delivery_status=0, secret=CODE)
    acg.add("123261123135000459", status=1, delivery_status=1, secret=CODE, password="x")
    b = acg_backend(tmp_path, acg)
    delivered = b.lookup(TRADE_NO)
    assert delivered is not None and delivered.status == "已发货"
    assert (delivered.code_tail, delivered.buyer, delivered.pay_channel) == \
        ("WXYZ", "13800001111", "支付宝")
    assert (delivered.product, delivered.amount) == ("王者荣耀 60 点券", 30.0)
    assert delivered.paid_at is not None and delivered.paid_at.tzinfo is SH
    assert [b.lookup(n).status for n in ("123261123135000457", "123261123135000458")] == \
        ["已支付", "待支付"]  # type: ignore[union-attr]
    locked = b.lookup("123261123135000459")  # a lookup password: acg-faka hides the codes
    assert locked is not None and locked.code_tail == ""
    assert b.lookup("999261123135000000") is None
    assert acg.seen[0]["form"] == {"keywords": TRADE_NO, "page": "1", "limit": "10"}


def test_the_full_code_stops_at_the_parser(tmp_path: Path, acg: AcgFaka,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    acg.add(TRADE_NO, secret=CODE)
    order = acg_backend(tmp_path, acg).lookup(TRADE_NO)
    assert order is not None and order.code_ref == "****WXYZ"
    assert all("ABCD" not in str(v) for v in vars(order).values())
    assert "ABCD" not in repr(order) and "ABCD" not in caplog.text


def test_acgfaka_throttling_is_read_from_its_message_and_not_retried(
        tmp_path: Path, acg: AcgFaka) -> None:
    acg.add(TRADE_NO, secret=CODE)
    acg.limit = 0  # the 31st lookup in 10 minutes from this IP
    with pytest.raises(BackendError, match=r"^限流"):
        acg_backend(tmp_path, acg, []).lookup(TRADE_NO)
    assert len(acg.seen) == 1


def test_a_429_waits_what_retry_after_asks_within_the_deadline(
        tmp_path: Path, acg: AcgFaka) -> None:
    acg.add(TRADE_NO, secret=CODE)
    acg.throttle(retry_after="1")
    pauses: list[float] = []
    assert acg_backend(tmp_path, acg, pauses).lookup(TRADE_NO) is not None
    assert pauses == [1.0] and len(acg.seen) == 2


def test_a_429_asking_for_longer_than_the_deadline_gives_up_at_once(
        tmp_path: Path, acg: AcgFaka) -> None:
    acg.throttle(times=3, retry_after="30")
    pauses: list[float] = []
    started = time.monotonic()
    with pytest.raises(BackendError, match=r"^限流: HTTP 429, Retry-After 30 s"):
        acg_backend(tmp_path, acg, pauses).lookup(TRADE_NO)
    assert pauses == [] and len(acg.seen) == 1 and time.monotonic() - started < 1


def test_a_2_second_answer_still_works(tmp_path: Path, acg: AcgFaka) -> None:
    acg.add(TRADE_NO, secret=CODE)
    acg.delay = 2.0
    assert acg_backend(tmp_path, acg).lookup(TRADE_NO) is not None


def test_an_answer_beyond_the_deadline_is_a_backend_error_in_time(
        tmp_path: Path, dujiao: DujiaoNext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.orders.http.MAX_SECONDS", 1.0)  # 5 s in production
    dujiao.add(DN_NO, payload=CODE)
    dujiao.delay = 3.0
    started = time.monotonic()
    with pytest.raises(BackendError):
        dujiao_backend(tmp_path, dujiao).lookup(DN_NO, Proof(EMAIL, PASSWORD))
    assert time.monotonic() - started < 1.5


def test_dujiao_next_needs_the_buyers_proof_before_it_asks(tmp_path: Path,
                                                            dujiao: DujiaoNext) -> None:
    dujiao.add(DN_NO, payload=f"XXXX-YYYY-0001\n{CODE}")
    b = dujiao_backend(tmp_path, dujiao)
    assert not b.records_telegram
    with pytest.raises(ProofNeeded) as raised:
        b.lookup(DN_NO)
    assert raised.value.needs == ("contact", "password") and dujiao.seen == []
    order = b.lookup(DN_NO, Proof(EMAIL, PASSWORD))
    assert order is not None and (order.status, order.buyer) == ("已发货", EMAIL)
    assert (order.product, order.amount, order.code_tail) == ("Netflix 会员", 30.0, "WXYZ")
    assert order.delivered_at is not None
    assert dujiao.seen[0]["query"] == {"email": EMAIL, "order_password": PASSWORD}


def test_a_wrong_email_or_password_reads_as_not_found(tmp_path: Path,
                                                     dujiao: DujiaoNext) -> None:
    dujiao.add(DN_NO, payload=CODE)
    b = dujiao_backend(tmp_path, dujiao)
    assert b.lookup(DN_NO, Proof(EMAIL, "wrong")) is None
    assert b.lookup(DN_NO, Proof("other@qq.com", PASSWORD)) is None
    assert b.lookup("DN209912310001", Proof(EMAIL, PASSWORD)) is None


@pytest.mark.parametrize(("word", "status"), [
    ("pending_payment", "待支付"), ("paid", "已支付"), ("fulfilling", "已支付"),
    ("partially_delivered", "部分发货"), ("delivered", "已发货"), ("completed", "已发货"),
    ("partially_refunded", "部分退款"), ("refunded", "已退款"), ("canceled", "已过期")])
def test_dujiao_next_statuses_in_kefus_words(tmp_path: Path, dujiao: DujiaoNext, word: str,
                                             status: str) -> None:
    dujiao.add(DN_NO, status=word)
    order = dujiao_backend(tmp_path, dujiao).lookup(DN_NO, Proof(EMAIL, PASSWORD))
    assert order is not None and order.status == status


def test_a_429_without_retry_after_waits_a_second_then_asks_again(
        tmp_path: Path, dujiao: DujiaoNext) -> None:
    dujiao.add(DN_NO)
    dujiao.throttle(retry_after=None)
    order = dujiao_backend(tmp_path, dujiao).lookup(DN_NO, Proof(EMAIL, PASSWORD))
    assert order is not None and len(dujiao.seen) == 2


def test_a_conversation_never_stores_or_logs_the_full_code(
        tmp_path: Path, acg: AcgFaka, clock: FakeClock, orders_matcher: Matcher,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    acg.add(TRADE_NO, secret=CODE, contact="13800001111")
    cfg = {"database": str(tmp_path / "kefu.db"), "faq": str(ORDERS_FAQ),
           "match": {"answer": 0.5, "margin": 0.05, "clarify": 0.2},
           "order_pattern": r"\d{18}",
           "orders": {"backend": "http",
                      "http": {"preset": "acgfaka_public", "base_url": acg.url}}}
    path = tmp_path / "kefu.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    k = bootstrap(load_config(path, env={}), clock, orders_matcher)
    buyer = Buyer(k)
    assert "请先核实" in buyer.says(f"付了钱卡密没到 {TRADE_NO} 补发")
    answered = buyer.says("13800001111")
    assert "核实通过" in answered and "WXYZ" in answered and "ABCD" not in answered
    tables = [r["name"] for r in k.store.db.query(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for r in k.store.db.query(f"SELECT * FROM {table}"):
            assert not any("ABCD" in str(v) for v in dict(r).values()), table
    assert "ABCD" not in caplog.text
