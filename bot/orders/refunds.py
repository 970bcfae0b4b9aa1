"""Small-order refunds, from start to done: the one home of the fast path.

`remedy.decide` says when a failed small order is refunded at once (pure).
`start` carries it out in the buyer's turn: the shop is asked for the refund,
or, with no refund endpoint, the ticket waits for an agent's one tap.
`approve` is that tap (the card's 批准退款 button, staff action
`approve_refund`). `check_refunds` resolves refund tickets once the shop's
system shows the order as refunded; it runs on a timer (`kefu orders track`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot import ratings, replies, tickets
from bot.clock import shift
from bot.eta import format_due
from bot.kefu import Kefu
from bot.orders import REFUNDED, ActionResult, BackendError, Order, OrderBackend, calls
from bot.orders import wording as w
from bot.orders.backend import backend_for
from bot.orders.card import changed_text
from bot.orders.ticketing import Checked, noted, open_handled
from bot.outbox import deliver, to_buyer, to_staff
from bot.records import RESOLVED, AgentRecord, Conversation, Outgoing, Ticket
from bot.remedy import REFUND_WITHIN
from intents.faq import Intent

logger = logging.getLogger(__name__)
AWAITING = "awaiting_approval"  # a fast-path refund waiting for an agent's one tap
VOIDED = "voided"  # the buyer changed the ticket's order number while a refund waited
APPROVE = "退款"  # `/stage 退款`, the old way to approve: now `/approve` or 批准退款
TRACKED = ("requested", "approved")
TRACK_LIMIT = 10  # tickets looked up per round: each lookup may take up to 5 s


def start(k: Kefu, conv: Conversation, intent: Intent, order: Order, backend: OrderBackend,
          now: datetime) -> Checked:
    """The small-order fast path: the shop refunds now, or an agent approves with one tap."""
    uid, details = conv.user_id, dict(conv.details)
    state, event, reference = AWAITING, "refund_awaiting_approval", ""
    if backend.can_refund:
        result = calls.request(k, calls.RequestRefund(order, "kefu 小额订单快速退款"))
        if not result.ok:  # nothing lost: the ticket goes to a person with the approval button
            details = noted(details, f"自动退款提交失败 ({result.detail}), 请人工审批",
                            "refund_request_failed", detail=result.detail)
            details["refund"] = bound(order, AWAITING)
            details.setdefault("demand", "退款")  # what the fast path was doing; a person does it
            return Checked(replace(conv, details=details),
                           [to_buyer(uid, w.refund_failed_text(order))], intent=intent)
        state, event, reference = "requested", "refund_requested", result.reference
    due = shift(now, REFUND_WITHIN)
    details.update(demand="退款", refund={**bound(order, state), "reference": reference,
                                         "due": due.isoformat()})
    stage = "处理" if state == "requested" else "受理"
    ticket, outs = open_handled(k, uid, intent, details, now, stage, due)
    k.store.ticket_events.add(ticket.id, "bot", event, now, amount=order.amount,
                              reference=reference)
    action = "refund_requested" if state == "requested" else "refund_awaiting"
    k.store.order_actions.record(order.order_no, action, ticket.id, uid, now, order.amount,
                                 reference)
    how = (f"已向商城提交退款 (参考号 {reference or '无'})" if state == "requested"
           else "请点「批准退款」一键批准")
    notice = (f"🤖 小额订单快速退款 ({order.amount:g} 元): {how}; "
              f"已告知买家 1 小时内原路退回 ({format_due(due, now)} 前)")
    return Checked(Conversation(uid, ticket_id=ticket.id),
                   [to_buyer(uid, w.refund_text(order, ticket.number, due, now),
                             replies.STATUS, ticket_id=ticket.id),
                    *outs, to_staff(ticket.id, notice)], True)


def bound(order: Order, state: str) -> dict[str, Any]:
    """A ticket's refund record, bound to the order that was checked and its amount."""
    return {"state": state, "amount": order.amount, "order_no": order.order_no}


def void(details: dict[str, Any], order_no: str | None) -> dict[str, Any] | None:
    """The details with a waiting refund voided, when the ticket's order number is no longer
    the one the refund was checked for; None when nothing changes."""
    refund = details.get("refund") or {}
    was = refund.get("order_no")
    if refund.get("state") != AWAITING or not was or _same(was, order_no):
        return None
    return {**details, "refund": {**refund, "state": VOIDED, "changed_to": order_no or ""}}


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").upper() == (b or "").upper()


def approve(k: Kefu, agent: AgentRecord, t: Ticket, now: datetime
            ) -> tuple[bool, str, list[Outgoing]]:
    """Approve the ticket's waiting refund, for the order it was checked for and no other."""
    voided = void(t.details, t.order_no)  # a path that changed the number and did not void
    if t.is_open and voided is not None:
        k.store.tickets.update(t.id, now, details=voided)
        t = k.store.tickets.get(t.id)  # type: ignore[assignment]
    refund = t.details.get("refund") or {}
    if t.is_open and refund.get("state") == VOIDED:
        k.store.ticket_events.add(t.id, f"agent:{agent.id}", "refund_refused", now,
                                  reason="order_no_changed")
        return False, changed_text(refund), [tickets.staff_card(k, t, now)] if voided else []
    if not t.is_open or refund.get("state") != AWAITING:
        return False, f"#{t.number} 没有待批准的退款。", []
    order_no = refund.get("order_no") or t.order_no  # older tickets bound none: their number
    other = k.store.order_actions.refunded_on_other_ticket(order_no, t.id) if order_no else None
    if other is not None:
        other_t = k.store.tickets.get(other)
        return False, (f"订单 {order_no} 已在 #{other_t.number if other_t else other} "
                       "申请过退款, 未再提交; 请核实。"), []
    actor = f"agent:{agent.id}"
    state, event, reference = "approved", "refund_approved", ""
    backend = backend_for(k)
    if backend is not None and backend.can_refund and order_no:
        result = _request(k, order_no, f"客服 {agent.name} 批准退款")
        if not result.ok:
            k.store.ticket_events.add(t.id, actor, "refund_request_failed", now,
                                      detail=result.detail)
            return False, (f"退款提交失败: {result.detail}。请在商城后台手动退款, "
                           "完成后点「已解决」。"), []
        state, event, reference = "requested", "refund_requested", result.reference
    due = shift(now, REFUND_WITHIN)
    fields: dict[str, Any] = {"stage": "处理", "promised_at": due, "details": {
        **t.details, "refund": {**refund, "state": state, "reference": reference,
                                "approved_by": agent.name, "due": due.isoformat()}}}
    if t.first_reply_at is None:
        fields["first_reply_at"] = now
    if t.agent_id is None and k.store.tickets.claim(t.id, agent.id, now):  # who approves, finishes
        k.store.ticket_events.add(t.id, actor, "claimed", now)
    k.store.tickets.update(t.id, now, **fields)
    k.store.ticket_events.add(t.id, actor, event, now, amount=refund.get("amount"),
                              reference=reference)
    if order_no:  # an agent's approval, whether the shop or the agent then moves the money
        k.store.order_actions.record(order_no, "refund_approved", t.id, t.user_id, now,
                                     refund.get("amount"), reference)
    after = (f"已向商城提交, 参考号 {reference or '无'}" if state == "requested"
             else "请在商城后台完成退款后点「已解决」")
    moved = k.store.tickets.get(t.id)
    return True, f"已批准 #{t.number} 的退款", [
        to_buyer(t.user_id, w.approved_text(t, due, now), replies.STATUS, ticket_id=t.id),
        to_staff(t.id, f"✅ {agent.name} 批准了退款 ({_yuan(refund.get('amount'))}) · {after}"),
        *tickets.refresh(k, t, moved, now)]  # type: ignore[arg-type]


def _request(k: Kefu, order_no: str, reason: str) -> ActionResult:
    try:
        order = calls.lookup(k, order_no)
    except BackendError as exc:
        return ActionResult(False, detail=str(exc)[:200])
    if order is None:
        return ActionResult(False, detail="订单系统查不到该订单")
    return calls.request(k, calls.RequestRefund(order, reason))


def check_refunds(k: Kefu) -> list[Outgoing]:
    """Resolve open refund tickets whose order the shop now shows as refunded.

    Enter it with no answers and it raises NeedsCalls with one lookup per tracked ticket;
    the adapter looks them up outside any transaction and enters it again with them."""
    if backend_for(k) is None:
        return []
    done: list[tuple[Ticket, Order]] = []
    missing: list[calls.Call] = []
    for t in k.store.tickets.open_refunding(TRACKED, TRACK_LIMIT):
        order_no = (t.details.get("refund") or {}).get("order_no") or t.order_no
        try:  # the order the refund went out for, whatever the ticket's number says now
            order = calls.lookup(k, order_no) if order_no else None
        except calls.NeedsCalls as needed:
            missing += needed.calls
            continue
        except BackendError as exc:
            logger.info("refund of %s not checked: %s", t.number, exc)
            continue
        if order is not None and order.status == REFUNDED:
            done.append((t, order))
    if missing:
        raise calls.NeedsCalls(missing)
    now = k.now()
    with k.store.transaction():
        outs = [out for t, order in done for out in _refunded(k, t, order, now)]
        return deliver(k.store, outs, now)


def _refunded(k: Kefu, t: Ticket, order: Order, now: datetime) -> list[Outgoing]:
    fresh = k.store.tickets.get(t.id)
    if fresh is None or not fresh.is_open:
        return []  # an agent resolved it meanwhile
    refund = {**fresh.details.get("refund", {}), "state": "done"}
    k.store.tickets.update(t.id, now, stage=RESOLVED, resolved_at=now,
                           details={**fresh.details, "refund": refund})
    at = order.refunded_at  # None when the shop gave no time: the buyer is told none
    k.store.ticket_events.add(t.id, "bot", "refund_done", now,
                              refunded_at=at.isoformat() if at else None)
    text = w.refund_done_text(order, t, at, now) + "\n" + replies.RATE_ASK
    done = k.store.tickets.get(t.id) or fresh
    return [to_buyer(t.user_id, text, *ratings.rating_choices(fresh), ticket_id=t.id),
            to_staff(t.id, f"✅ 订单系统显示 {order.order_no} 已退款, #{t.number} 自动解决"),
            *tickets.refresh(k, fresh, done, now)]


def _yuan(amount: Any) -> str:
    return f"{amount:g} 元" if isinstance(amount, int | float) else "金额未知"
