"""Reopening a resolved ticket: by its button, by writing about it, within reopen_days."""

from __future__ import annotations

from bot.kefu import Kefu
from tests.fixtures_core import FakeClock
from tests.fixtures_resolved import ORDER, resolved_ticket, ticket_row


def test_reopen_button_reopens_the_same_ticket_with_a_new_promise(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    reply = buyer.presses("问题没解决, 重新打开")
    assert "工单 #T1001 已重新打开, 预计" in reply
    row = ticket_row(kefu)
    assert row["stage"] == "受理" and row["resolved_at"] is None
    assert kefu.store.db["tickets"].count == 1
    assert "reopened" in [e["event"] for e in kefu.store.ticket_events.of(1)]


def test_reopening_reopens_the_topic_whose_title_never_changed(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    buyer.presses("rate:1:5")
    buyer.presses("reopen:1")
    # Issue 16: resolving closes the topic (🔒) instead of renaming it ✅, so reopening
    # renames nothing either: it reopens the topic and refreshes the card.
    assert [o.kind for o in buyer.last if o.kind in ("title", "topic")] == ["topic"]
    [topic] = [o for o in buyer.last if o.kind == "topic"]
    assert topic.audience == "staff" and topic.ticket_id == 1 and topic.text == "reopen"


def test_writing_the_same_order_number_reopens_it(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert "已重新打开" in buyer.says(f"{ORDER} 这个单卡密还是用不了")
    assert kefu.store.db["tickets"].count == 1


def test_saying_it_happened_again_offers_reopen_or_new(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert "又出现了吗" in buyer.says("卡密又没收到")
    assert "刷新订单页" in buyer.presses("不是, 这是新问题")  # routed as a new question
    assert ticket_row(kefu)["stage"] == "已解决"


def test_reopen_window_is_enforced(kefu: Kefu, clock: FakeClock) -> None:
    buyer = resolved_ticket(kefu)
    clock.advance(days=8)
    assert "超过 7 天" in buyer.presses("reopen:1")
    assert ticket_row(kefu)["stage"] == "已解决"
