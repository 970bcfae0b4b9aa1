"""The remedy decision (pure): each order state, ownership, the fast path and its limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import remedy as rm
from bot.orders import Order, mask_code
from bot.orders import wording as w
from bot.orders.settings import OrdersSettings

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=SH)  # a Monday afternoon
NO = "KM202411221530123456"
POLICY = OrdersSettings(backend="sqlite")
FULL_CODE = "ABCD-EFGH-JKLM-9WXYZ"


def order(status: str = "已发货", **kw: object) -> Order:
    base = dict(order_no=NO, status=status, buyer="42", product="王者荣耀 60 点券", amount=30.0,
                paid_at=NOW - timedelta(minutes=10), delivered_at=NOW - timedelta(minutes=9),
                code_ref=mask_code(FULL_CODE), pay_channel="支付宝")
    return Order(**{**base, **kw})  # type: ignore[arg-type]


def ask(intent: str = "card_not_received", **kw: object) -> rm.Ask:
    return rm.Ask(intent, 42, NOW, **kw)  # type: ignore[arg-type]


def test_delivered_shows_where_and_the_last_four_characters_only() -> None:
    r = rm.decide(order(), NO, ask("order_status"), POLICY)
    assert (r.kind, r.then) == ("delivered", rm.ANSWER)
    assert "13:51 发货" in r.say and "卡密尾号 WXYZ" in r.say and "订单详情" in r.say
    assert "ABCD" not in r.say and "JKLM" not in r.say


def test_delivered_not_received_is_resent_when_the_shop_can() -> None:
    assert rm.decide(order(), NO, ask(can_resend=True), POLICY).then == rm.RESEND
    assert rm.decide(order(), NO, ask(can_resend=False), POLICY).then == rm.ANSWER


def test_repeat_not_received_claims_are_flagged_and_go_to_a_person() -> None:
    r = rm.decide(order(), NO, ask(can_resend=True, claims=3), POLICY)
    assert r.then == rm.TICKET and "30 天内已就 3 个订单" in r.notes[0]
    assert rm.decide(order(), NO, ask(can_resend=True, claims=2), POLICY).then == rm.RESEND


def test_refund_of_a_delivered_code_needs_a_person() -> None:
    r = rm.decide(order(), NO, ask("refund_request"), POLICY)
    assert r.then == rm.TICKET and "没被使用" in r.say and not r.refund_card


def test_recharging_gives_the_usual_time_and_a_promise() -> None:
    r = rm.decide(order("充值中"), NO, ask("recharge_delayed"), POLICY)
    assert (r.kind, r.then) == ("recharging", rm.ANSWER)
    assert "30 分钟内到账" in r.say and "预计 14:20 前到账" in r.say and "转人工" in r.say


def test_a_recharge_past_four_usual_times_is_stuck() -> None:
    late = order("充值中", paid_at=NOW - timedelta(hours=2, minutes=1))
    r = rm.decide(late, NO, ask("order_status"), POLICY)
    assert (r.kind, r.then, r.intent) == ("stuck", rm.TICKET, "recharge_delayed")


def test_recharged_recently_is_answered_and_long_ago_goes_to_a_person() -> None:
    fresh = rm.decide(order("充值成功"), NO, ask("recharge_delayed"), POLICY)
    assert fresh.then == rm.ANSWER and "重新登录" in fresh.say
    old = order("充值成功", delivered_at=NOW - timedelta(minutes=45))
    late = rm.decide(old, NO, ask("recharge_delayed"), POLICY)
    assert late.then == rm.TICKET and "已超过 30 分钟" in late.say


def test_small_failed_order_is_refunded_at_once() -> None:
    r = rm.decide(order("充值失败"), NO, ask("recharge_failed"), POLICY)
    assert (r.kind, r.then, r.intent) == ("failed", rm.REFUND, "recharge_failed")


def test_the_configured_amount_is_the_limit_of_the_fast_path() -> None:
    at_limit = rm.decide(order("充值失败", amount=50.0), NO, ask("recharge_failed"), POLICY)
    above = rm.decide(order("充值失败", amount=50.01), NO, ask("recharge_failed"), POLICY)
    assert at_limit.then == rm.REFUND and above.then == rm.TICKET
    assert "非常抱歉" in above.say and not above.refund_card


def test_a_large_failed_order_the_buyer_wants_refunded_gets_an_approval_card() -> None:
    r = rm.decide(order("充值失败", amount=200.0), NO, ask("refund_request"), POLICY)
    assert r.then == rm.TICKET and r.refund_card


def test_the_daily_cap_stops_automatic_refunds() -> None:
    r = rm.decide(order("充值失败"), NO, ask("recharge_failed", refunds_today=20), POLICY)
    assert r.then == rm.TICKET and r.refund_card and "上限 (20 单)" in r.notes[0]


def test_an_order_refunded_before_is_not_refunded_again() -> None:
    r = rm.decide(order("充值失败"), NO, ask("recharge_failed", refunded_before=True), POLICY)
    assert r.then == rm.TICKET and not r.refund_card and "之前已申请过退款" in r.notes[0]


def test_a_buyer_who_asks_for_a_resend_is_not_refunded() -> None:
    r = rm.decide(order("充值失败"), NO, ask("recharge_failed", demand="补发"), POLICY)
    assert r.then == rm.TICKET


def test_paid_and_not_yet_delivered_waits_then_counts_as_a_failed_delivery() -> None:
    paying = order("已支付", paid_at=NOW - timedelta(minutes=3), delivered_at=None)
    r = rm.decide(paying, NO, ask(), POLICY)
    assert (r.kind, r.then) == ("paying", rm.ANSWER) and "最晚 14:07 前" in r.say
    stuck = replace(paying, paid_at=NOW - timedelta(minutes=11))
    r = rm.decide(stuck, NO, ask(), POLICY)
    assert (r.then, r.intent) == (rm.REFUND, "card_not_received")


def test_refunded_says_when_and_where_the_money_goes() -> None:
    friday = datetime(2026, 11, 20, 15, 40, tzinfo=SH)
    r = rm.decide(order("已退款", refunded_at=friday), NO, ask("refund_progress"), POLICY)
    assert r.then == rm.ANSWER
    assert "11月20日 15:40 退款" in r.say and "支付宝" in r.say
    assert "约 11月25日 前" in r.say  # three working days: Mon, Tue, Wed


def test_a_refund_without_a_time_is_never_given_the_lookup_time() -> None:
    undated = order("已退款", refunded_at=None, paid_at=NOW - timedelta(days=10))
    r = rm.decide(undated, NO, ask("refund_progress"), POLICY)
    assert r.then == rm.ANSWER and "显示已退款" in r.say and "支付宝" in r.say
    assert NOW.strftime("%H:%M") not in r.say and "已在" not in r.say
    assert "约" not in r.say and "月" not in r.say  # no arrival date counted from nothing


@pytest.mark.parametrize("status", [rm.RECHARGED, rm.RECHARGING])
def test_a_recharge_without_times_states_none(status: str) -> None:
    undated = order(status, paid_at=None, delivered_at=None)
    r = rm.decide(undated, NO, ask("recharge_delayed"), POLICY)
    assert "14:00" not in r.say and "付款)" not in r.say  # the lookup time is no shop time
    assert "充值" in r.say


def test_an_automatic_refund_without_a_shop_time_says_no_time() -> None:
    from bot.records import Ticket
    t = Ticket(id=1, number="T1001", user_id=42, intent="refund_request", title="退款",
               tier="A", stage="处理", owner="bot", created_at=NOW)
    assert w.refund_done_text(order("已退款"), t, None, NOW).startswith(f"订单 {NO} 已原路退款")
    friday = datetime(2026, 11, 20, 15, 40, tzinfo=SH)
    assert "已在 11月20日 15:40 原路退款" in w.refund_done_text(order("已退款"), t, friday, NOW)


def test_three_working_days_skip_the_weekend() -> None:
    assert rm.working_days_after(date(2026, 11, 20), 3) == date(2026, 11, 25)
    assert rm.working_days_after(date(2026, 11, 23), 1) == date(2026, 11, 24)


def test_unpaid_explains_and_points_to_the_payment_category() -> None:
    r = rm.decide(order("待支付", delivered_at=None), NO, ask("order_status"), POLICY)
    assert (r.then, r.intent) == (rm.ANSWER, "payment_no_order") and "待支付" in r.say
    assert "14:10 前会自动更新" in r.say


def test_a_status_kefu_does_not_know_goes_to_a_person() -> None:
    r = rm.decide(order("挂起"), NO, ask("order_status"), POLICY)
    assert r.then == rm.TICKET and "挂起" in r.notes[0]


def test_not_found_asks_to_check_then_opens_a_ticket_when_the_buyer_insists() -> None:
    first = rm.decide(None, NO, ask(), POLICY)
    assert first.then == rm.RETRY and "核对" in first.say and "再发一次" in first.say
    again = rm.decide(None, NO, ask(insisted=True), POLICY)
    assert again.then == rm.TICKET and "查不到" in again.notes[0]


def test_someone_elses_order_is_answered_exactly_as_no_such_order() -> None:
    theirs = order("充值失败", buyer="13812345678")
    r = rm.decide(theirs, NO, ask("recharge_failed"), POLICY)
    assert (r.kind, r.then) == ("mismatch", rm.RETRY)
    assert r.say == rm.decide(None, NO, ask("recharge_failed"), POLICY).say
    again = rm.decide(theirs, NO, ask("recharge_failed", insisted=True), POLICY)
    assert (again.kind, again.then) == ("mismatch", rm.TICKET)
    assert again.say == rm.decide(None, NO, ask("recharge_failed", insisted=True), POLICY).say
    for secret in ("充值失败", "王者荣耀", "30 元", "支付宝", "WXYZ", "13812345678"):
        assert secret not in r.say + again.say
    assert "订单归属不符" in again.notes[0]
    assert "138****5678" in again.notes[0] and "42" in again.notes[0]


def test_one_automatic_resend_per_order_a_day_then_a_person() -> None:
    can = {"can_resend": True}
    assert rm.decide(order(), NO, ask(**can), POLICY).then == rm.RESEND
    again = rm.decide(order(), NO, ask(resends_today=1, buyer_resends_today=1, **can), POLICY)
    assert again.then == rm.TICKET and "今天已经补发过" in again.say
    assert "未再自动补发" in again.notes[0]


def test_a_buyer_alternating_orders_meets_the_daily_limit_per_buyer() -> None:
    r = rm.decide(order(), NO, ask(buyer_resends_today=3, can_resend=True), POLICY)
    assert r.then == rm.TICKET and "今天已经为你自动补发过" in r.say
    assert "该买家 3 次" in r.notes[0]


@pytest.mark.parametrize(("buyer", "mine"), [("42", True), ("tg:42", True), ("a@qq.com, 42", True),
                                             ("", False), ("420", False)])
def test_ownership_is_the_telegram_id_the_order_names(buyer: str, mine: bool) -> None:
    r = rm.decide(order(buyer=buyer), NO, ask("order_status"), POLICY)
    assert (r.kind != "mismatch") is mine


def test_ownership_check_can_be_turned_off_for_public_order_lookups() -> None:
    r = rm.decide(order(buyer=""), NO, ask("order_status"), replace(POLICY, check_owner=False))
    assert r.kind == "delivered"


def test_refund_and_resend_texts_promise_a_time_and_never_the_code() -> None:
    o = order("充值失败")
    text = w.refund_text(o, "T1001", NOW + rm.REFUND_WITHIN, NOW)
    assert "1 小时内原路退回 (15:00 前)" in text and "#T1001" in text and "30 元" in text
    resent = w.resend_text(order(), "T1002", NOW)
    assert "WXYZ" in resent and "ABCD" not in resent
    assert "#T1002" in resent and "14:02 前" in resent
