"""Fast-path refunds after the first turn: an agent's one-tap approval, and tracking to done.

`approve` is the 批准退款 button on a ticket card (staff action `stage` with
the text 退款). `check_refunds` resolves refund tickets once the shop's system
shows the order as refunded; run it on a timer (`kefu orders track`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot import ratings, replies, tickets
from bot.kefu import Kefu
from bot.orders import REFUNDED, ActionResult, BackendError, Order, OrderBackend
from bot.orders import wording as w
from bot.orders.act import AWAITING
from bot.orders.backend import backend_for
from bot.outbox import deliver, to_buyer, to_staff
from bot.records import RESOLVED, AgentRecord, Outgoing, Ticket
from bot.remedy import REFUND_WITHIN

logger = logging.getLogger(__name__)
APPROVE = "退款"  # `/stage 退款`, or the card's 批准退款 button, approves a waiting refund
TRACKED = ("requested", "approved")
TRACK_LIMIT = 10  # tickets looked up per round: each lookup may take up to 5 s


def approve(k: Kefu, agent: AgentRecord, t: Ticket, now: datetime
            ) -> tuple[bool, str, list[Outgoing]]:
    """Approve the ticket's waiting refund: through the shop when it can, else by hand."""
    refund = t.details.get("refund") or {}
    if not t.is_open or refund.get("state") != AWAITING:
        return False, f"#{t.number} 没有待批准的退款。", []
    actor = f"agent:{agent.id}"
    state, event, reference = "approved", "refund_approved", ""
    backend = backend_for(k)
    if backend is not None and backend.can_refund and t.order_no:
        result = _request(backend, t.order_no, f"客服 {agent.name} 批准退款")
        if not result.ok:
            k.store.add_event(t.id, actor, "refund_request_failed", now, detail=result.detail)
            return False, (f"退款提交失败: {result.detail}。请在商城后台手动退款, "
                           "完成后点「已解决」。"), []
        state, event, reference = "requested", "refund_requested", result.reference
    due = now + REFUND_WITHIN
    fields: dict[str, Any] = {"stage": "处理", "promised_at": due, "details": {
        **t.details, "refund": {**refund, "state": state, "reference": reference,
                                "approved_by": agent.name, "due": due.isoformat()}}}
    if t.first_reply_at is None:
        fields["first_reply_at"] = now
    if t.agent_id is None and k.store.claim(t.id, agent.id, now):  # who approves, finishes
        k.store.add_event(t.id, actor, "claimed", now)
    k.store.update_ticket(t.id, now, **fields)
    k.store.add_event(t.id, actor, event, now, amount=refund.get("amount"), reference=reference)
    after = (f"已向商城提交, 参考号 {reference or '无'}" if state == "requested"
             else "请在商城后台完成退款后点「已解决」")
    moved = k.store.ticket(t.id)
    return True, f"已批准 #{t.number} 的退款", [
        to_buyer(t.user_id, w.approved_text(t, due, now), replies.STATUS, ticket_id=t.id),
        to_staff(t.id, f"✅ {agent.name} 批准了退款 ({_yuan(refund.get('amount'))}) · {after}"),
        tickets.staff_card(k, moved, now)]  # type: ignore[arg-type]


def _request(backend: OrderBackend, order_no: str, reason: str) -> ActionResult:
    try:
        order = backend.lookup(order_no)
        if order is None:
            return ActionResult(False, detail="订单系统查不到该订单")
        return backend.request_refund(order, reason)
    except BackendError as exc:
        return ActionResult(False, detail=str(exc)[:200])


def check_refunds(k: Kefu) -> list[Outgoing]:
    """Resolve open refund tickets whose order the shop now shows as refunded."""
    backend = backend_for(k)
    if backend is None:
        return []
    done: list[tuple[Ticket, Order]] = []
    # Lookups happen outside the transaction: a slow shop API must not hold the write lock.
    for t in k.store.open_tickets_refunding(TRACKED, TRACK_LIMIT):
        try:
            order = backend.lookup(t.order_no) if t.order_no else None
        except BackendError as exc:
            logger.info("refund of %s not checked: %s", t.number, exc)
            continue
        if order is not None and order.status == REFUNDED:
            done.append((t, order))
    now = k.now()
    with k.store.transaction():
        outs = [out for t, order in done for out in _refunded(k, t, order, now)]
        return deliver(k.store, outs, now)


def _refunded(k: Kefu, t: Ticket, order: Order, now: datetime) -> list[Outgoing]:
    fresh = k.store.ticket(t.id)
    if fresh is None or not fresh.is_open:
        return []  # an agent resolved it meanwhile
    refund = {**fresh.details.get("refund", {}), "state": "done"}
    k.store.update_ticket(t.id, now, stage=RESOLVED, resolved_at=now,
                          details={**fresh.details, "refund": refund})
    at = order.refunded_at or now
    k.store.add_event(t.id, "bot", "refund_done", now, refunded_at=at.isoformat())
    text = w.refund_done_text(order, t, at, now) + "\n" + replies.RATE_ASK
    return [to_buyer(t.user_id, text, *ratings.rating_choices(fresh), ticket_id=t.id),
            to_staff(t.id, f"✅ 订单系统显示 {order.order_no} 已退款, #{t.number} 自动解决")]


def _yuan(amount: Any) -> str:
    return f"{amount:g} 元" if isinstance(amount, int | float) else "金额未知"
