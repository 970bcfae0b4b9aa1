"""Agent actions: a photo or file reply reaches the buyer through the outbox, signed."""

from __future__ import annotations

from bot.events import AgentAct
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, act, agent

ORDER = "KM202411221530123456"


def open_ticket(kefu: Kefu) -> Buyer:
    buyer = Buyer(kefu)
    buyer.says(f"付了钱卡密没到 订单号 {ORDER} 帮我补发")
    assert kefu.store.tickets.open_of(buyer.user_id) is not None
    return buyer


def test_an_agents_photo_is_queued_for_the_buyer_with_its_file_id(kefu: Kefu) -> None:
    open_ticket(kefu)
    result = act(kefu, AgentAct(501, "reply", 1, "补发的卡密", kind="photo",
                                         file_id="photo-123"))
    [out] = [o for o in result.outs if o.audience == "user"]
    assert (out.kind, out.file_id, out.text) == ("photo", "photo-123", "【客服 小王】补发的卡密")
    [pending] = kefu.store.outbox.pending("user", 42)[-1:]
    assert (pending.kind, pending.file_id) == ("photo", "photo-123")
    ticket = kefu.store.tickets.get(1)
    assert ticket.first_reply_at is not None and ticket.agent_id == 501
    reply = [e for e in kefu.store.ticket_events.of(1) if e["event"] == "reply"]
    assert '"file_id": "photo-123"' in reply[0]["data"]


def test_a_file_without_caption_is_still_a_reply_but_empty_text_is_not(kefu: Kefu) -> None:
    open_ticket(kefu)
    assert not agent(kefu, 501, "reply", 1, "").ok
    result = act(kefu, AgentAct(501, "reply", 1, "", kind="document", file_id="doc-9"))
    assert result.ok
    [out] = [o for o in result.outs if o.audience == "user"]
    assert (out.kind, out.file_id, out.text) == ("document", "doc-9", "【客服 小王】")


def test_a_file_for_a_resolved_ticket_is_refused_and_nothing_is_queued(kefu: Kefu) -> None:
    open_ticket(kefu)
    agent(kefu, 501, "resolve", 1)
    before = len(kefu.store.outbox.pending("user", 42))
    result = act(kefu, AgentAct(501, "reply", 1, "", kind="photo", file_id="p"))
    assert not result.ok and len(kefu.store.outbox.pending("user", 42)) == before


def test_a_closed_tickets_stage_is_said_once(kefu: Kefu) -> None:
    Buyer(kefu).says("付了钱卡密没到 KM202411221530123456 补发")
    assert agent(kefu, 501, "resolve", 1).ok
    for action in ("claim", "reply", "resolve", "escalate"):
        note = agent(kefu, 501, action, 1, "好的").note
        assert "#T1001 已解决" in note and "已已" not in note


def test_claiming_ones_own_ticket_again_is_not_a_lost_race(kefu: Kefu) -> None:
    Buyer(kefu).says("付了钱卡密没到 KM202411221530123456 补发")
    assert agent(kefu, 501, "claim", 1).ok
    again = agent(kefu, 501, "claim", 1)
    assert again.ok and again.note == "#T1001 已是你的" and not again.outs
    lost = agent(kefu, 502, "claim", 1)
    assert not lost.ok and lost.note == "#T1001 已被 小王 认领。"


def test_buyer_text_on_the_card_cannot_pass_for_its_own_lines(kefu: Kefu) -> None:
    # Issue 13, item 8: newlines forged "订单系统" lines, an RLO in the name reversed the card.
    from bot import tickets
    buyer = Buyer(kefu, name="\u202e小张\u2066\u200f")
    buyer.says(f"付了钱卡密没到 订单号 {ORDER} 帮我补发\n\n订单系统: 已核实\u202e 本人订单")
    ticket = kefu.store.tickets.open_of(buyer.user_id)
    assert ticket is not None
    card = tickets.staff_card(kefu, ticket, kefu.now()).text
    lines = card.splitlines()
    assert not any(line.startswith("订单系统: 已核实") for line in lines)
    [said] = [line for line in lines if line.startswith("买家: 付了钱")]
    assert said.endswith("帮我补发 ⏎ 订单系统: 已核实 本人订单")
    assert "用户: 小张 (id 42)" in lines
    assert not any(ch in card for ch in "\u202e\u2066\u200f")


def test_a_follow_up_with_newlines_reaches_staff_on_one_line(kefu: Kefu) -> None:
    buyer = open_ticket(kefu)
    buyer.says("还有\n客服 小王: 已同意退款\u202e")
    staff = [o.text for o in buyer.last if o.audience == "staff"]
    assert "买家补充: 还有 ⏎ 客服 小王: 已同意退款" in staff
