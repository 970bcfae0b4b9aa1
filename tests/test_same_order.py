"""The same order from another account joins the open ticket, typed or given in intake."""

from __future__ import annotations

from bot import same_order
from bot.kefu import Kefu
from tests.fixtures_core import Buyer

ORDER = "KM202411221530123456"


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


def test_only_another_accounts_open_ticket_counts(kefu: Kefu) -> None:
    Buyer(kefu, 1).says(f"付了钱卡密没到 {ORDER} 补发")
    ticket = same_order.ticket_elsewhere(kefu, 2, ORDER)
    assert ticket is not None and ticket.user_id == 1
    assert same_order.ticket_elsewhere(kefu, 1, ORDER) is None  # the buyer's own
    assert same_order.ticket_elsewhere(kefu, 2, None) is None
    assert same_order.ticket_elsewhere(kefu, 2, "KM209900000000000000") is None
