"""Who may do what: buyers see only their own tickets; staff commands are for staff only."""

from __future__ import annotations

import pytest

from bot import replies
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, agent
from tests.telegram_offline import STAFF_CHAT, offline_app

ORDER = "KM202411221530123456"
OWNER, STRANGER, AGENT = 42, 77, 501


@pytest.fixture
def shop(kefu: Kefu) -> Kefu:
    """The owner has T1001 open; the stranger has written once and has no ticket."""
    Buyer(kefu, OWNER, "小张").says(f"付了钱卡密没到 订单号:{ORDER} 帮我补发")
    Buyer(kefu, STRANGER, "路人").says("你好")
    return kefu


def ticket(k: Kefu) -> dict:
    return next(iter(k.store.db.query("SELECT * FROM tickets WHERE id = 1")))


def test_status_shows_only_the_buyers_own_tickets(shop: Kefu) -> None:
    stranger = Buyer(shop, STRANGER)
    for args in ("T1001", "#T1001", "1001", "1", f"{ORDER}"):
        # the same words twice in a row get a note that nothing changed (never verbatim)
        assert stranger.command("status", args).startswith(replies.NO_TICKETS)
    assert "#T1001" in Buyer(shop, OWNER).command("status", "T1002")


@pytest.mark.parametrize("text", ["T1001 进度怎么样", "#T1001", "工单 1001 怎么样了", "T1002"])
def test_guessing_a_ticket_number_reveals_nothing(shop: Kefu, text: str) -> None:
    before = ticket(shop)
    reply = Buyer(shop, STRANGER).says(text)
    assert ORDER not in reply and "小张" not in reply and "补发" not in reply
    assert "T1001" not in reply.replace(text, "")  # at most the buyer's own words quoted back
    assert ticket(shop) == before


@pytest.mark.parametrize("data", ["withdraw:1", "rate:1:1", "reopen:1", "edit", "edit:order_no",
                                  "status", "claim:1", "resolve:1", "stage:1:处理"])
def test_buttons_naming_another_buyers_ticket_change_nothing(shop: Kefu, data: str) -> None:
    before = ticket(shop)
    reply = Buyer(shop, STRANGER).presses(data)
    assert reply and ORDER not in reply and "T1001" not in reply
    assert ticket(shop) == before


def test_resolved_tickets_of_others_cannot_be_rated_or_reopened(shop: Kefu) -> None:
    agent(shop, AGENT, "resolve", 1)
    before = ticket(shop)
    stranger = Buyer(shop, STRANGER)
    assert stranger.presses("rate:1:1") == replies.NOT_YOURS
    assert "不能重新打开" in stranger.presses("reopen:1")
    assert ticket(shop) == before


@pytest.mark.parametrize("command", ["/queue", "/claim", "/resolve", "/block 42 骚扰",
                                     "/unblock 42", "/duty on", "/note 内部",
                                     "/notice 支付宝 30 维护"])
def test_staff_commands_in_a_private_chat_are_refused(shop: Kefu, command: str) -> None:
    before, seen = ticket(shop), {o.id for o in shop.store.outbox.pending()}
    with offline_app(shop) as tg:
        tg.message(STRANGER, command)
        tg.message(AGENT, command)  # an agent writing to the bot privately is a buyer there
    answered = [o for o in shop.store.outbox.pending() if o.id not in seen]
    assert {o.user_id for o in answered} == {STRANGER, AGENT}
    assert all(o.text.startswith("不认识 /") for o in answered)
    assert ticket(shop) == before and not shop.store.users.is_blocked(OWNER)
    assert shop.store.agents.on_duty() == []


def test_staff_buttons_pressed_by_a_buyer_are_refused(shop: Kefu) -> None:
    before = ticket(shop)
    with offline_app(shop) as tg:
        private = tg.press(STRANGER, "resolve:1")
        in_group = tg.press(STRANGER, "claim:1", chat_id=STAFF_CHAT, chat_type="supergroup")
        junk = [tg.press(AGENT, data, chat_id=STAFF_CHAT, chat_type="supergroup")
                for data in ("claim:" + "9" * 40, "claim:²", "resolve:", "stage:1x:处理")]
        assert tg.answer_to(private)["text"] == "无权限: 仅限客服成员操作。"
        assert tg.answer_to(in_group)["text"] == "无权限: 仅限客服成员操作。"
        assert {tg.answer_to(query)["text"] for query in junk} == {"无效操作。"}
    assert ticket(shop) == before


@pytest.mark.parametrize("data", ["approve_refund:1", "stage:1:退款"])
def test_the_refund_approval_button_reaches_the_approval_its_old_data_too(
        shop: Kefu, data: str) -> None:
    before = ticket(shop)
    with offline_app(shop) as tg:
        query = tg.press(AGENT, data, chat_id=STAFF_CHAT, chat_type="supergroup")
        assert tg.answer_to(query)["text"] == "#T1001 没有待批准的退款。"
    assert ticket(shop) == before


def test_block_in_the_staff_chat_works_for_members_only(shop: Kefu) -> None:
    with offline_app(shop) as tg:
        tg.request.members[600] = "member"
        tg.message(STRANGER, "/block T1001 刷屏", chat_id=STAFF_CHAT, chat_type="supergroup")
        assert not shop.store.users.is_blocked(OWNER)
        tg.message(600, "/block T1001 刷屏", chat_id=STAFF_CHAT, chat_type="supergroup")
        assert shop.store.users.is_blocked(OWNER)
        tg.message(AGENT, "/unblock T1001", chat_id=STAFF_CHAT, chat_type="supergroup")
        said = [p["text"] for p in tg.request.sent()]
    assert said[0] == "无权限: 仅限客服成员使用。"
    assert said[1].startswith("已屏蔽买家 小张 (id 42): 刷屏。")
    assert said[2] == "已解除对买家 小张 (id 42) 的屏蔽。"
    assert not shop.store.users.is_blocked(OWNER)


def test_approve_in_a_tickets_topic_is_the_refund_approval(shop: Kefu) -> None:
    with shop.store.transaction():
        shop.store.staff_threads.save(1, STAFF_CHAT, 77, None)
    before = ticket(shop)
    with offline_app(shop) as tg:
        tg.message(AGENT, "/approve", chat_id=STAFF_CHAT, chat_type="supergroup",
                   is_topic_message=True, message_thread_id=77)
        said = [p["text"] for p in tg.request.sent()]
    assert said == ["#T1001 没有待批准的退款。"]  # the approval answered, not an unknown stage
    assert ticket(shop) == before
