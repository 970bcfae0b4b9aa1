"""After resolve: the stars, a comment, and the low-rating alert."""

from __future__ import annotations

from bot.kefu import Kefu
from tests.fixtures_core import Buyer
from tests.fixtures_resolved import resolved_ticket, ticket_row


def test_resolve_asks_for_stars_and_offers_reopen(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert buyer.choices()[0] == "⭐⭐⭐⭐⭐"
    assert "问题没解决, 重新打开" in buyer.choices()


def test_good_rating_is_stored_and_comment_kept(kefu: Kefu) -> None:
    buyer = resolved_ticket(kefu)
    assert "谢谢你的评价" in buyer.presses("rate:1:5")
    assert [o.audience for o in buyer.last] == ["user"]  # no alert for 5 stars
    assert "转给主管" in buyer.says("小王很耐心 点赞")
    assert '"rating": 5' in ticket_row(kefu)["details"]
    assert "小王很耐心" in ticket_row(kefu)["details"]


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
    assert '"rating": 4' in ticket_row(kefu)["details"]
