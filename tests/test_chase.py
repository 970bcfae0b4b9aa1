"""Chasing an open ticket: the third chase within the tier's window escalates it, once."""

from __future__ import annotations

import json

from bot.kefu import Kefu
from tests.fixtures_core import Buyer, agent
from tests.fixtures_resolved import ORDER, ticket_row


def escalations(k: Kefu, ticket_id: int) -> list[dict]:
    return [json.loads(e["data"]) for e in k.store.ticket_events.of(ticket_id)
            if e["event"] == "escalated"]


def test_third_chase_goes_to_a_senior_and_the_buyer_is_told(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 501, "duty", text="on")
    buyer.says("还没好吗")
    buyer.command("status")
    reply = buyer.says("到底要等多久 催一下")
    assert "已升级给资深客服 小王 优先处理" in reply
    row = ticket_row(kefu)
    assert row["agent_id"] == 501
    assert "买家已催单 3 次" in " ".join(o.text for o in buyer.last if o.audience == "staff")
    buyer.says("快点啊")  # a fourth chase does not escalate again
    # One policy (bot/escalation.py): a chase moves the ticket up a tier like the SLA does,
    # recorded as the one `escalated` event (it was a `chase_escalated` of its own).
    assert [e["reason"] for e in escalations(kefu, 1)] == ["chased"]
    assert row["tier"] == "S"  # card_not_received is A: one up


def test_two_chases_change_nothing(kefu: Kefu) -> None:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 501, "duty", text="on")
    buyer.says("还没好吗")
    assert "升级" not in buyer.says("??")
    assert escalations(kefu, 1) == [] and ticket_row(kefu)["agent_id"] is None
