"""After resolve: ratings, comments, reopening; chasing; and re-delivered updates handled once."""

from __future__ import annotations

from bot.conversation import handle
from bot.events import BuyerSaid
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, FakeClock, agent

ORDER = "KM202411221530123456"


def resolved_ticket(kefu: Kefu, user_id: int = 42) -> Buyer:
    buyer = Buyer(kefu, user_id)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 502, "duty", text="on")  # the supervisor is on duty
    result = agent(kefu, 501, "resolve", 1)
    buyer.last = result.outs
    return buyer


def ticket(kefu: Kefu) -> dict:
    return next(iter(kefu.store.db.query("SELECT * FROM tickets WHERE id = 1")))


def test_resolve_asks_for_stars_and_offers_reopen(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert buyer.choices()[0] == "⭐⭐⭐⭐⭐"
    assert "问题没解决, 重新打开" in buyer.choices()


def test_good_rating_is_stored_and_comment_kept(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert "谢谢你的评价" in buyer.presses("rate:1:5")
    assert [o.audience for o in buyer.last] == ["user"]  # no alert for 5 stars
    assert "转给主管" in buyer.says("小王很耐心 点赞")
    assert '"rating": 5' in ticket(kefu)["details"]
    assert "小王很耐心" in ticket(kefu)["details"]


def test_low_rating_alerts_supervisors_in_the_topic(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    buyer.presses("rate:1:1")
    alerts = [o.text for o in buyer.last if o.audience == "staff"]
    assert alerts == ["⚠️ #T1001 收到 1 星低分评价, 请 老李 跟进回访。"]


def test_rating_twice_or_someone_elses_ticket_changes_nothing(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    buyer.presses("rate:1:4")
    assert "已经评价过了" in buyer.presses("rate:1:1")
    assert "没有找到" in Buyer(kefu, 99).presses("rate:1:1")
    assert "没有找到" in buyer.presses("rate:1:9")
    assert '"rating": 4' in ticket(kefu)["details"]


def test_reopen_button_reopens_the_same_ticket_with_a_new_promise(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    reply = buyer.presses("问题没解决, 重新打开")
    assert "工单 #T1001 已重新打开, 预计" in reply
    row = ticket(kefu)
    assert row["stage"] == "受理" and row["resolved_at"] is None
    assert kefu.store.db["tickets"].count == 1
    assert "reopened" in [e["event"] for e in kefu.store.events(1)]


def test_writing_the_same_order_number_reopens_it(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert "已重新打开" in buyer.says(f"{ORDER} 这个单卡密还是用不了")
    assert kefu.store.db["tickets"].count == 1


def test_saying_it_happened_again_offers_reopen_or_new(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert "又出现了吗" in buyer.says("卡密又没收到")
    assert "刷新订单页" in buyer.presses("不是, 这是新问题")  # routed as a new question
    assert ticket(kefu)["stage"] == "已解决"


def test_reopen_window_is_enforced(kefu: Kefu, clock: FakeClock) -> None:
    buyer = resolved_ticket(kefu)
    clock.advance(days=8)
    assert "超过 7 天" in buyer.presses("reopen:1")
    assert ticket(kefu)["stage"] == "已解决"


def test_redelivered_update_is_handled_once(kefu: Kefu) -> None:
    event = BuyerSaid(42, f"付了钱卡密没到 {ORDER} 补发", "小张", event_id="tg:1001")
    assert handle(kefu, event)
    assert handle(kefu, event) == []
    assert kefu.store.db["tickets"].count == 1
    assert kefu.store.db["messages"].count_where("direction = 'in'") == 1


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

