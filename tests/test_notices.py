"""Channel notices: answered before any ticket, told to open tickets once, all-clear for all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.kefu import Kefu
from tests.fixtures_core import Buyer, FakeClock, agent, tick

ORDER = "KM202411221530123456"
SENIOR, SUPERVISOR = 501, 502


def ticket_count(k: Kefu) -> int:
    return k.store.db.execute("SELECT count(*) FROM tickets").fetchone()[0]


def buyer_outs(result_outs: list, user_id: int) -> list[str]:
    return [o.text for o in result_outs if o.audience == "user" and o.user_id == user_id]


@pytest.fixture
def shop(config_file: Path, make_kefu: Callable[..., Kefu]) -> Kefu:
    config_file.write_text(config_file.read_text(encoding="utf-8") + (
        "notices:\n  aliases: {支付宝: [alipay, zfb]}\n"
        "  alternatives: {支付宝: 可以先用微信支付下单。}\n"), encoding="utf-8")
    return make_kefu()


def test_a_notice_answers_before_any_ticket_and_the_all_clear_reaches_the_asker(
        shop: Kefu, clock: FakeClock) -> None:
    started = agent(shop, SENIOR, "notice", text="支付宝 30 支付宝充值通道维护")
    assert started.ok and "14:30" in started.note
    buyer = Buyer(shop)
    reply = buyer.says("支付宝充值失败了")
    assert "支付宝充值通道维护" in reply and "预计 14:30 前恢复" in reply
    assert "可以先用微信支付下单" in reply
    assert buyer.choices() == ["好的, 等恢复", "没解决, 转人工"]
    assert ticket_count(shop) == 0
    assert "恢复我就发消息" in buyer.presses("好的, 等恢复")
    clock.advance(minutes=20)
    ended = agent(shop, SENIOR, "notice_end", text="支付宝")
    assert ended.ok and "1 位" in ended.note
    assert any("支付宝 通道已恢复" in t for t in buyer_outs(ended.outs, buyer.user_id))
    # nobody hears it twice, and a new question after the end goes the usual way
    assert not agent(shop, SENIOR, "notice_end", text="支付宝").ok
    assert "通道维护" not in buyer.says("支付宝充值失败了")


def test_aliases_and_unnamed_channel_questions(shop: Kefu) -> None:
    agent(shop, SENIOR, "notice", text="支付宝 30 维护中")
    assert "维护中" in Buyer(shop, 1).says("alipay 充值失败")  # alias from config
    assert "维护中" in Buyer(shop, 2).says("通道是不是在维护")  # names no channel: all notices
    other = Buyer(shop, 3).says("微信充值失败了")  # another channel: the usual intake
    assert "维护中" not in other and "订单号" in other


def test_the_buyer_can_still_reach_a_person(shop: Kefu) -> None:
    agent(shop, SENIOR, "notice", text="支付宝 30 维护中")
    buyer = Buyer(shop)
    buyer.says("支付宝充值失败了")
    assert "订单号" in buyer.presses("没解决, 转人工")
    assert "已受理" in buyer.says(f"{ORDER} 退款")
    assert ticket_count(shop) == 1
    ended = agent(shop, SENIOR, "notice_end", text="支付宝")
    assert buyer_outs(ended.outs, buyer.user_id)  # asked during the notice: told it is over


def test_open_tickets_about_the_channel_are_told_once(shop: Kefu) -> None:
    for uid, channel, order in ((1, "用的支付宝", ORDER), (2, "微信付的", "KM202411221530999999")):
        buyer = Buyer(shop, uid)
        assert "订单号" in buyer.says("充值失败了")
        assert "怎么处理" in buyer.says(f"{channel} {order}")
        assert "已受理" in buyer.presses("查询")
    first = agent(shop, SENIOR, "notice", text="支付宝 30 维护中")
    assert len(buyer_outs(first.outs, 1)) == 1 and "#T1001" in buyer_outs(first.outs, 1)[0]
    assert buyer_outs(first.outs, 2) == []
    assert any(o.audience == "staff" and o.ticket_id for o in first.outs)
    updated = agent(shop, SENIOR, "notice", text="支付宝 60 维护延长")  # an update, not news
    assert "已更新" in updated.note and buyer_outs(updated.outs, 1) == []
    events = [e["event"] for e in shop.store.ticket_events.of(1)]
    assert events.count("notice_told") == 1


def test_staff_are_asked_once_when_the_time_passes(shop: Kefu, clock: FakeClock) -> None:
    agent(shop, SENIOR, "notice", text="支付宝 30 维护中")
    clock.advance(minutes=29)
    assert not [o for o in tick(shop) if o.ticket_id is None]
    clock.advance(minutes=2)
    asked = [o for o in tick(shop) if o.audience == "staff" and o.ticket_id is None]
    assert len(asked) == 1 and "/notice_end 支付宝" in asked[0].text
    assert not [o for o in tick(shop) if o.ticket_id is None]  # once
    late = Buyer(shop).says("支付宝充值失败了")
    assert "原定 14:30 恢复" in late and "还在处理" in late  # honest about the slip
    agent(shop, SENIOR, "notice", text="支付宝 20 预计再等20分钟")
    clock.advance(minutes=21)
    assert [o for o in tick(shop) if o.ticket_id is None]  # the new time is watched too


@pytest.mark.parametrize("args", ["", "支付宝", "支付宝 abc 说明", "支付宝 0 x", "支付宝 99999 x"])
def test_bad_notice_commands_change_nothing(shop: Kefu, args: str) -> None:
    result = agent(shop, SENIOR, "notice", text=args)
    assert not result.ok and "用法" in result.note
    assert shop.store.notices.all_active() == []


def test_ending_an_unknown_channel_is_refused(shop: Kefu) -> None:
    agent(shop, SENIOR, "notice", text="支付宝 30 维护中")
    result = agent(shop, SENIOR, "notice_end", text="微信")
    assert not result.ok and "支付宝" in result.note  # lists what is active
    assert len(shop.store.notices.all_active()) == 1


def test_only_staff_can_post_notices(shop: Kefu) -> None:
    result = agent(shop, 999, "notice", text="支付宝 30 维护中")
    assert not result.ok and shop.store.notices.all_active() == []


def test_notices_survive_a_restart(shop: Kefu, make_kefu: Callable[..., Kefu]) -> None:
    agent(shop, SENIOR, "notice", text="支付宝 30 维护中")
    Buyer(shop).says("支付宝充值失败了")
    again = make_kefu()
    ended = agent(again, SENIOR, "notice_end", text="支付宝")
    assert buyer_outs(ended.outs, 42)


def test_notice_config_is_checked(config_file: Path) -> None:
    config_file.write_text("notices: {aliases: {支付宝: alipay}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"notices\.aliases"):
        load_config(config_file, env={})
