"""A shop that answers only with the buyer's proof: Dujiao-Next's guest lookup API.

kefu cannot look such an order up at all until the buyer gives the checkout email and
the order's lookup password; the shop's answer to them is the proof.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from bot.kefu import Kefu, bootstrap
from bot.orders import Proof
from bot.orders import ownership as own
from intents.match import Matcher
from tests.fake_shop_apis import DujiaoNext, serve
from tests.fixtures_core import Buyer, FakeClock
from tests.fixtures_orders import ORDERS_FAQ, orders_matcher_fixture  # noqa: F401

ORDER_NO = "DN202602110005"


@pytest.fixture
def dujiao(tmp_path: Path, clock: FakeClock, orders_matcher: Matcher) -> Iterator[Kefu]:
    """kefu on a Dujiao-Next shop's guest API, with one delivered order."""
    with serve(DujiaoNext()) as api:
        assert isinstance(api, DujiaoNext)
        api.add(ORDER_NO, email="buyer@qq.com", password="pw-1234",
                payload="DNX-CODE-AAAA-1111\nDNX-CODE-BBBB-ZZ99\n")
        cfg = {"database": str(tmp_path / "kefu.db"), "faq": str(ORDERS_FAQ),
               "match": {"answer": 0.5, "margin": 0.05, "clarify": 0.2},
               # A Dujiao-Next shop on its guest API: the backend and a base URL, no more.
               "orders": {"backend": "dujiao_next", "dujiao_next": {"mode": "api"},
                          "http": {"base_url": api.url}}}
        path = tmp_path / "kefu.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        yield bootstrap(load_config(path, env={}), clock, orders_matcher)


def test_the_email_and_password_together_are_the_proof(dujiao: Kefu,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    caplog.set_level(logging.DEBUG)
    buyer = Buyer(dujiao)
    asked = buyer.says(f"付了钱卡密没到 {ORDER_NO} 补发")
    assert "请先核实" in asked and "邮箱" in asked and "密码" in asked
    answered = buyer.says("邮箱 buyer@qq.com 密码 pw-1234")  # sent to the shop as typed
    assert own.PROVEN in answered and "ZZ99" in answered
    assert "AAAA" not in answered  # the last code's tail only, never a code
    stored = json.dumps([dict(r) for r in dujiao.store.db.query("SELECT * FROM messages")],
                        ensure_ascii=False)
    assert "pw-1234" not in stored and "pw-1234" not in caplog.text


def test_wrong_credentials_three_times_hand_over_with_nothing_disclosed(dujiao: Kefu) -> None:
    buyer = Buyer(dujiao)
    buyer.says(f"付了钱卡密没到 {ORDER_NO} 补发")
    assert "还可以再试 2 次" in buyer.says("buyer@qq.com wrongpass")
    assert "还可以再试 1 次" in buyer.says("buyer@qq.com")  # the password is missing
    last = buyer.says("other@qq.com pw-1234")
    assert own.GIVE_UP in last and "#T1001" in last
    told = " ".join(m["text"] for m in dujiao.store.db.query(
        "SELECT text FROM messages WHERE direction = 'out'"))
    assert "Netflix" not in told and "ZZ99" not in told
    ticket = dujiao.store.tickets.get(1)
    assert ticket is not None and "查不到该订单" in " ".join(ticket.details["order_notes"])


@pytest.mark.parametrize(("typed", "proof"), [
    ("abc@qq.com 123456", Proof("abc@qq.com", "123456")),
    ("邮箱是abc@qq.com，密码：pass word", Proof("abc@qq.com", "pass")),
    ("密码 p@ss-1 邮箱 a.b+c@x.cn", Proof("a.b+c@x.cn", "p@ss-1")),
    ("ＡＢＣ@ＱＱ.ＣＯＭ　９９", Proof("ABC@QQ.COM", "99")),
    ("13800138000 pw", Proof("13800138000", "pw")),
    ("abc@qq.com", Proof("abc@qq.com", ""))])
def test_proof_in_reads_both_parts_of_one_message(typed: str, proof: Proof) -> None:
    assert own.proof_in(typed) == proof
