"""Buyers chasing an open ticket, and the same order reported from another account."""

from __future__ import annotations

from bot.kefu import Kefu
from tests.fixtures_core import Buyer, agent

ORDER = "KM202411221530123456"


def ticket(kefu: Kefu) -> dict:
    return next(iter(kefu.store.db.query("SELECT * FROM tickets WHERE id = 1")))


def test_third_chase_goes_to_a_senior_and_the_buyer_is_told(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 501, "duty", text="on")
    buyer.says("还没好吗")
    buyer.command("status")
    reply = buyer.says("到底要等多久 催一下")
    assert "已升级给资深客服 小王 优先处理" in reply
    row = ticket(kefu)
    assert row["agent_id"] == 501
    assert "买家已催单 3 次" in " ".join(o.text for o in buyer.last if o.audience == "staff")
    buyer.says("快点啊")  # a fourth chase does not escalate again
    assert kefu.store.count_events(1, "chase_escalated") == 1


def test_same_order_from_another_account_joins_the_open_ticket(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    other = Buyer(kefu, 2, "小号")
    reply = other.says(f"{ORDER} 这个单的卡密呢")
    assert "已经有工单在处理中" in reply and "#T1001" not in reply
    assert kefu.store.db["tickets"].count == 1
    staff = [o.text for o in other.last if o.audience == "staff"]
    assert staff and "另一账号 小号 (id 2)" in staff[0]


def test_same_order_given_during_intake_does_not_open_a_second_ticket(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    other = Buyer(kefu, 2)
    other.says("卡密没收到")
    assert "已经有工单在处理中" in other.says(ORDER)
    assert kefu.store.db["tickets"].count == 1
