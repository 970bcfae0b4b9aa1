"""What kefu does about an order a buyer asks about, and what it says (pure).

`decide` takes the order as the shop's system knows it, what the buyer asked
and the counters the caller read (refunds today, this buyer's claims), and
returns a Remedy: the words for now and what happens next: answer and stop,
hand over to a person, ask for the number again, or act (refund or resend
through the shop). Nothing here touches the database or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.clock import shift
from bot.eta import format_due, is_working_day
from bot.orders import (
    DELIVERED,
    DELIVERY_FAILED,
    EXPIRED,
    NO_STOCK,
    PAID,
    PART_DELIVERED,
    PART_REFUNDED,
    RECHARGE_FAILED,
    RECHARGED,
    RECHARGING,
    REFUNDED,
    UNPAID,
    Order,
    mask_contact,
    owned_by,
)
from bot.orders import wording as w
from bot.orders.settings import OrdersSettings

# Intents an order number is looked up for; the first two are "not received" claims.
NOT_RECEIVED = ("card_not_received", "recharge_delayed")
LOOKUP_INTENTS = (*NOT_RECEIVED, "recharge_failed", "order_status", "refund_request",
                  "refund_progress")
CLAIM_WINDOW = timedelta(days=30)
REFUND_WITHIN = timedelta(hours=1)  # the small-order promise: "1 小时内原路退回"
STUCK_RECHARGE = 4  # a top-up is stuck after 4 usual times (30 min -> 2 h, as faq.yaml says)
ANSWER, TICKET, RETRY, REFUND, RESEND = "answer", "ticket", "retry", "refund", "resend"


@dataclass(frozen=True)
class Ask:
    """What the buyer asked, and what the caller counted around it."""

    intent: str
    user_id: int
    now: datetime
    demand: str | None = None
    insisted: bool = False  # the same unknown number, sent a second time
    claims: int = 0  # orders this buyer reported not received in 30 days, this one included
    refunds_today: int = 0  # fast-path refunds since midnight, all buyers
    refunded_before: bool = False  # kefu already asked for a refund of this order
    resends_today: int = 0  # automatic resends of this order since midnight
    buyer_resends_today: int = 0  # automatic resends of any of this buyer's orders today
    can_refund: bool = False
    can_resend: bool = False
    proven: bool = False  # the buyer proved the order theirs (contact, email, 查询密码)

    @property
    def wants_refund(self) -> bool:
        """The buyer asked for their money back."""
        return self.intent == "refund_request" or self.demand == "退款"


@dataclass(frozen=True)
class Remedy:
    """What kefu found, what it says now, and what happens next."""

    kind: str  # delivered, paying, recharging, recharged, failed, refunded, unpaid, ...
    then: str  # answer | ticket | retry | refund | resend
    say: str = ""  # for the buyer, now ("" when the words depend on the action's outcome)
    notes: tuple[str, ...] = ()  # for the agent, on the ticket
    intent: str | None = None  # a closer ticket category than the buyer's words gave
    refund_card: bool = False  # offer the agent a one-tap refund approval on the ticket


def decide(order: Order | None, order_no: str, ask: Ask, policy: OrdersSettings) -> Remedy:
    """The remedy for this order and this question."""
    if order is None:
        if ask.insisted:
            return Remedy("not_found", TICKET, w.NOT_FOUND_AGAIN.format(no=order_no),
                          (f"订单系统查不到单号 {order_no}, 买家确认单号无误",))
        return Remedy("not_found", RETRY, w.NOT_FOUND.format(no=order_no))
    if policy.check_owner and not ask.proven and not owned_by(order, ask.user_id):
        # Said exactly as "not found": a reply must not tell anyone that an order exists.
        if ask.insisted:
            return Remedy("mismatch", TICKET, w.NOT_FOUND_AGAIN.format(no=order_no),
                          (mismatch_note(order, ask.user_id),))
        return Remedy("mismatch", RETRY, w.NOT_FOUND.format(no=order_no))
    notes = _repeat_note(ask, policy)
    by_status = {DELIVERED: _delivered, PAID: _paid, RECHARGING: _recharging,
                 RECHARGED: _recharged, RECHARGE_FAILED: _failed, REFUNDED: _refunded,
                 UNPAID: _unpaid, EXPIRED: _expired, NO_STOCK: _no_stock,
                 DELIVERY_FAILED: _delivery_failed, PART_DELIVERED: _part_delivered,
                 PART_REFUNDED: _part_refunded}
    remedy = by_status.get(order.status, _unknown)(order, ask, policy)
    return Remedy(remedy.kind, remedy.then, remedy.say, notes + remedy.notes, remedy.intent,
                  remedy.refund_card)


def mismatch_note(order: Order, user_id: int) -> str:
    """The agent's note when an order names someone other than the Telegram user asking."""
    who = mask_contact(order.buyer) if order.buyer else "未登记"
    return (f"⚠️ 订单归属不符: 订单登记的买家 {who}, 当前 Telegram 用户 id {user_id}; "
            "未向买家透露订单详情")


def resend_capped(ask: Ask, policy: OrdersSettings) -> bool:
    """This order, or this buyer, had as many automatic resends today as allowed."""
    return (ask.resends_today >= policy.resends_per_order_per_day
            or ask.buyer_resends_today >= policy.resends_per_buyer_per_day)


def flagged(ask: Ask, policy: OrdersSettings) -> bool:
    """A buyer who keeps saying "not received": no automatic remedy, a person looks."""
    return ask.intent in NOT_RECEIVED and ask.claims >= policy.repeat_claims


def _repeat_note(ask: Ask, policy: OrdersSettings) -> tuple[str, ...]:
    if not flagged(ask, policy):
        return ()
    return (f"⚠️ 该买家 30 天内已就 {ask.claims} 个订单报「未收到」, 请核实",)


def _delivered(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    found = w.delivered_text(order, ask.now)
    if ask.wants_refund:
        return Remedy("delivered", TICKET, found + "\n" + w.DELIVERED_REFUND)
    if ask.intent == "card_not_received" and flagged(ask, policy):
        return Remedy("delivered", TICKET, found + "\n" + w.CHECK_BY_PERSON)
    if ask.intent == "card_not_received" and ask.can_resend and resend_capped(ask, policy):
        words = (w.RESENT_TODAY if ask.resends_today >= policy.resends_per_order_per_day
                 else w.RESENDS_TODAY)
        return Remedy("delivered", TICKET, found + "\n" + words, (
            f"今日已自动补发过 (该订单 {ask.resends_today} 次, 该买家 "
            f"{ask.buyer_resends_today} 次), 未再自动补发, 请人工核实",))
    if ask.intent == "card_not_received" and ask.can_resend:
        return Remedy("delivered", RESEND)
    return Remedy("delivered", ANSWER, found + "\n" + w.WHERE_CODE)


def _paid(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    wait_for = timedelta(minutes=policy.delivery_minutes)
    due = shift(order.paid_at, wait_for) if order.paid_at else None
    if due is None or ask.now < due:
        wait = format_due(due, ask.now) if due else "几分钟内"
        return Remedy("paying", ANSWER, w.PAYING.format(no=order.order_no, due=wait))
    return _failed(order, ask, policy, stuck=True)


def _recharging(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    usual = timedelta(minutes=policy.recharge_minutes)
    start = order.paid_at or ask.now
    if ask.wants_refund:
        return Remedy("recharging", TICKET, w.RECHARGING_REFUND.format(no=order.order_no))
    if order.paid_at is None:  # no paid time: count from now and state no payment time
        return Remedy("recharging", ANSWER, w.RECHARGING_UNDATED.format(
            no=order.order_no, minutes=policy.recharge_minutes,
            due=format_due(shift(ask.now, usual), ask.now)))
    if ask.now >= start + usual * STUCK_RECHARGE:
        return Remedy("stuck", TICKET, w.RECHARGE_STUCK.format(
            no=order.order_no, paid=format_due(start, ask.now)), intent="recharge_delayed")
    due = start + usual if ask.now < start + usual else start + usual * STUCK_RECHARGE
    return Remedy("recharging", ANSWER, w.RECHARGING_TEXT.format(
        no=order.order_no, paid=format_due(start, ask.now), minutes=policy.recharge_minutes,
        due=format_due(due, ask.now)))


def _recharged(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    done = order.delivered_at or order.paid_at or ask.now
    due = shift(done, timedelta(minutes=policy.recharge_minutes))
    found = w.RECHARGED_TEXT.format(no=order.order_no, at=format_due(done, ask.now)) \
        if order.delivered_at or order.paid_at else w.RECHARGED_UNDATED.format(no=order.order_no)
    if ask.wants_refund:
        return Remedy("recharged", TICKET, found + "\n" + w.RECHARGED_REFUND)
    if ask.now < due or ask.intent not in (*NOT_RECEIVED, "recharge_failed"):
        return Remedy("recharged", ANSWER, found + "\n" + w.ARRIVES.format(
            due=format_due(max(due, ask.now), ask.now)))
    return Remedy("recharged", TICKET, found + "\n" + w.RECHARGED_LATE.format(
        minutes=policy.recharge_minutes), intent="recharge_delayed")


def _failed(order: Order, ask: Ask, policy: OrdersSettings, stuck: bool = False,
            words: str = "") -> Remedy:
    """A failed top-up, or a paid card order never delivered: small ones are refunded at once."""
    small = order.amount is not None and order.amount <= policy.small_order_amount
    capped = ask.refunds_today >= policy.auto_refund_daily_cap
    intent = "card_not_received" if stuck else "recharge_failed"
    if small and not capped and not ask.refunded_before and ask.demand != "补发":
        return Remedy("failed", REFUND, intent=intent)
    notes: tuple[str, ...] = ()
    if small and capped and not ask.refunded_before:
        notes = (f"今日快速退款已达上限 ({policy.auto_refund_daily_cap} 单), 请人工审批",)
    if ask.refunded_before:
        notes = ("该订单之前已申请过退款, 未再自动退款",)
    words = words or (w.FAILED_DELIVERY if stuck else w.FAILED)
    card = not ask.refunded_before and (ask.wants_refund or (small and capped))
    return Remedy("failed", TICKET, words.format(no=order.order_no), notes, intent, card)


def _refunded(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    to = order.pay_channel or "账户"
    if order.refunded_at is None:
        # The lookup time is not the refund time, and the paid time is too early to count
        # "到账最晚" from: say neither rather than state a time the shop never gave.
        return Remedy("refunded", ANSWER, w.REFUNDED_UNDATED_TEXT.format(no=order.order_no,
                                                                          to=to))
    at = order.refunded_at.astimezone(ask.now.tzinfo)
    latest = working_days_after(at.date(), 3)
    return Remedy("refunded", ANSWER, w.REFUNDED_TEXT.format(
        no=order.order_no, at=format_due(at, ask.now), to=to,
        latest=f"{latest.month}月{latest.day}日"))


def working_days_after(start: date, days: int) -> date:
    """The date `days` Chinese working days after `start` (weekends and holidays skipped)."""
    d = start
    while days > 0:
        d += timedelta(days=1)
        days -= is_working_day(d)
    return d


def _unpaid(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    due = format_due(shift(ask.now, timedelta(minutes=10)), ask.now)
    return Remedy("unpaid", ANSWER, w.UNPAID_TEXT.format(no=order.order_no, due=due),
                  intent="payment_no_order")


def _expired(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    return Remedy("expired", ANSWER, w.EXPIRED_TEXT.format(no=order.order_no),
                  intent="payment_no_order")


def _no_stock(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    """Paid, and the shop had no code to send (dujiaoka 异常): a failed delivery, said so."""
    remedy = _failed(order, ask, policy, stuck=True, words=w.NO_STOCK_TEXT)
    return replace(remedy, notes=("商城系统显示: 已付款但缺货, 卡密未发出 (请补货发卡或退款)",
                                  *remedy.notes))


def _delivery_failed(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    remedy = _failed(order, ask, policy, stuck=True, words=w.DELIVERY_FAILED_TEXT)
    return replace(remedy, notes=("商城系统显示: 已付款但发货失败", *remedy.notes))


def _part_delivered(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    return Remedy("part_delivered", TICKET, w.PART_DELIVERED_TEXT.format(no=order.order_no),
                  ("商城系统显示部分发货: 请核对未发出的卡密并补发",),
                  intent="card_not_received")


def _part_refunded(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    return Remedy("part_refunded", TICKET, w.PART_REFUNDED_TEXT.format(no=order.order_no),
                  ("商城系统显示部分退款: 请核对退款明细和未退部分",))


def _unknown(order: Order, ask: Ask, policy: OrdersSettings) -> Remedy:
    return Remedy("unknown", TICKET, w.UNKNOWN.format(no=order.order_no),
                  (f"订单系统状态「{order.status[:20]}」kefu 不认识, 请人工确认",))
