"""Carry out a Remedy: answer, hand over, ask again, or refund / resend through the shop.

Every automatic action lands on a ticket as an event and on its staff card, so
agents see what kefu did. Runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot import remedy as rm
from bot import replies, tickets
from bot.eta import format_due
from bot.kefu import Kefu
from bot.orders import Order, OrderBackend, calls, mask_contact
from bot.orders import wording as w
from bot.outbox import to_buyer, to_staff
from bot.records import RESOLVED, Conversation, Outgoing, Ticket
from intents.faq import Intent

AWAITING = "awaiting_approval"  # a fast-path refund waiting for an agent's one tap
REFUND_EVENTS = ("refund_requested", "refund_awaiting_approval")  # count toward the daily cap
ORDER_KEYS = ("order", "order_notes", "refund")  # what a ticket keeps from the lookup


@dataclass(frozen=True)
class Checked:
    """The conversation after a lookup, what the buyer is told, and whether the turn ends."""

    conv: Conversation
    outs: list[Outgoing] = field(default_factory=list)
    final: bool = False  # answered, asked again, or a remedy carried out: nothing more to ask
    intent: Intent | None = None  # a closer category for the ticket than the buyer's words


def facts(order: Order) -> dict[str, Any]:
    """What the staff card shows of an order: never the code, only its last four."""
    times = {k: getattr(order, k).isoformat() for k in ("paid_at", "delivered_at", "refunded_at")
             if getattr(order, k)}
    return {"status": order.status, "product": order.product, "amount": order.amount,
            "code_tail": order.code_tail, "pay_channel": order.pay_channel,
            "buyer": mask_contact(order.buyer) if order.buyer else "", **times}


def noted(details: dict[str, Any], note: str | None, event: str, **data: Any) -> dict[str, Any]:
    """Details with a note for the agent and an event to record when the ticket exists."""
    notes = [*details.get("order_notes", []), *([note] if note else [])]
    log = [*details.get("order_log", []), {"event": event, "data": data}]
    return {**details, "order_notes": notes, "order_log": log}


def carry_out(k: Kefu, conv: Conversation, intent: Intent, order: Order | None,
              remedy: rm.Remedy, backend: OrderBackend, now: datetime) -> Checked:
    """Do what the remedy says; the lookup and its outcome are logged either way."""
    order_no = order.order_no if order else conv.details["order_no"]
    k.store.record_order_check(conv.user_id, order_no, intent.id, order.status if order else None,
                               f"{remedy.kind}/{remedy.then}", now)
    details = _found(conv.details, order_no, order, remedy)
    better = (k.intent(remedy.intent) if remedy.intent else None) or intent
    uid = conv.user_id
    if remedy.then == rm.ANSWER:
        idle = {key: v for key, v in details.items() if key != "asking"}
        return Checked(Conversation(uid, "feedback", better.id, idle),
                       [to_buyer(uid, remedy.say, replies.SOLVED, replies.UNSOLVED)], True)
    if remedy.then == rm.RETRY:
        return _ask_again(conv, order_no, remedy)
    if remedy.then == rm.REFUND and order is not None:
        return _refund(k, replace(conv, details=details), better, order, backend, now)
    if remedy.then == rm.RESEND and order is not None:
        return _resend(k, replace(conv, details=details), better, order, backend, now)
    if remedy.refund_card and order is not None:
        details["refund"] = {"state": AWAITING, "amount": order.amount}
    return Checked(replace(conv, details=details), [to_buyer(uid, remedy.say)], intent=better)


def _found(details: dict[str, Any], order_no: str, order: Order | None,
           remedy: rm.Remedy) -> dict[str, Any]:
    found = {**details, "order_checked": order_no,
             "order": facts(order) if order else {"found": False}}
    if order and order.amount is not None and remedy.kind != "mismatch":
        found.setdefault("amount", order.amount)  # the buyer sees it on their ticket: owners only
    found = noted(found, None, "order_lookup", order_no=order_no, found=order is not None,
                  status=order.status if order else None, outcome=remedy.kind)
    for note in remedy.notes:
        found = noted(found, note, "order_flag", text=note)
    return found


def _ask_again(conv: Conversation, order_no: str, remedy: rm.Remedy) -> Checked:
    """Not found: ask to check the number; the same number again means "it is right"."""
    drop = ("order_no", "order_checked", "order", "order_notes", "order_log", "amount")
    details = {key: v for key, v in conv.details.items() if key not in drop}
    details.update(asking="order_no",
                   order_missing=[*conv.details.get("order_missing", []), order_no][-5:])
    return Checked(replace(conv, step="intake", details=details),
                   [to_buyer(conv.user_id, remedy.say, replies.CANCEL)], True)


def _refund(k: Kefu, conv: Conversation, intent: Intent, order: Order, backend: OrderBackend,
            now: datetime) -> Checked:
    """Small-order fast path: the shop refunds now, or an agent approves with one tap."""
    uid, details = conv.user_id, dict(conv.details)
    state, event, reference = AWAITING, "refund_awaiting_approval", ""
    if backend.can_refund:
        result = calls.request(k, calls.RequestRefund(order, "kefu 小额订单快速退款"))
        if not result.ok:  # nothing lost: the ticket goes to a person with the approval button
            details = noted(details, f"自动退款提交失败 ({result.detail}), 请人工审批",
                            "refund_request_failed", detail=result.detail)
            details["refund"] = {"state": AWAITING, "amount": order.amount}
            details.setdefault("demand", "退款")  # what the fast path was doing; a person does it
            return Checked(replace(conv, details=details),
                           [to_buyer(uid, w.refund_failed_text(order))], intent=intent)
        state, event, reference = "requested", "refund_requested", result.reference
    due = now + rm.REFUND_WITHIN
    details.update(demand="退款", refund={"state": state, "amount": order.amount,
                                         "reference": reference, "due": due.isoformat()})
    stage = "处理" if state == "requested" else "受理"
    ticket, outs = open_handled(k, uid, intent, details, now, stage, due)
    k.store.add_event(ticket.id, "bot", event, now, amount=order.amount, reference=reference)
    how = (f"已向商城提交退款 (参考号 {reference or '无'})" if state == "requested"
           else "请点「批准退款」一键批准")
    notice = (f"🤖 小额订单快速退款 ({order.amount:g} 元): {how}; "
              f"已告知买家 1 小时内原路退回 ({format_due(due, now)} 前)")
    return Checked(Conversation(uid, ticket_id=ticket.id),
                   [to_buyer(uid, w.refund_text(order, ticket.number, due, now),
                             replies.STATUS, ticket_id=ticket.id),
                    *outs, to_staff(ticket.id, notice)], True)


def _resend(k: Kefu, conv: Conversation, intent: Intent, order: Order, backend: OrderBackend,
            now: datetime) -> Checked:
    """A delivered code the buyer did not get: the shop sends it again, never this chat."""
    uid = conv.user_id
    result = calls.request(k, calls.RequestResend(order))
    if not result.ok:
        details = noted(conv.details, f"自动补发失败 ({result.detail}), 请人工补发",
                        "resend_failed", detail=result.detail)
        details.setdefault("demand", "补发")
        say = w.delivered_text(order, now) + "\n" + w.RESEND_FAILED
        return Checked(replace(conv, details=details), [to_buyer(uid, say)], intent=intent)
    details = {**conv.details, "demand": "补发"}
    ticket, outs = open_handled(k, uid, intent, details, now, RESOLVED, None)
    k.store.add_event(ticket.id, "bot", "resend_requested", now, reference=result.reference)
    notice = (f"🤖 已通过商城系统自动补发卡密 (参考号 {result.reference or '无'}), "
              "工单已自动解决; 买家回复会重新打开")
    return Checked(Conversation(uid),
                   [to_buyer(uid, w.resend_text(order, ticket.number, now), ticket_id=ticket.id),
                    *outs, to_staff(ticket.id, notice)], True)


def open_handled(k: Kefu, uid: int, intent: Intent, details: dict[str, Any], now: datetime,
                 stage: str, due: datetime | None) -> tuple[Ticket, list[Outgoing]]:
    """A ticket for what kefu did itself: its stage and promise, not the queue's."""
    ticket, outs = tickets.open_ticket(k, uid, intent, details, now)
    fields: dict[str, Any] = {"stage": stage}
    if due is not None:
        fields["promised_at"] = due
    if stage != "受理":  # kefu acted: nobody owes this buyer a first reply any more
        fields["first_reply_at"] = now
    if stage == RESOLVED:
        fields["resolved_at"] = now
    k.store.update_ticket(ticket.id, now, **fields)
    ticket = settle_ticket(k, ticket.id, details, now)
    forwarded = [o for o in outs if o.audience == "staff" and o.kind != "card"]
    return ticket, [tickets.staff_card(k, ticket, now), *forwarded]


def settle_ticket(k: Kefu, ticket_id: int, details: dict[str, Any], now: datetime) -> Ticket:
    """Copy the lookup's findings onto the ticket and record its pending events."""
    t = k.store.ticket(ticket_id)
    assert t is not None
    kept = {key: details[key] for key in ORDER_KEYS if details.get(key)}
    k.store.update_ticket(ticket_id, now, details={**t.details, **kept})
    for item in details.get("order_log", []):
        k.store.add_event(ticket_id, "bot", item["event"], now, **item["data"])
    return k.store.ticket(ticket_id)  # type: ignore[return-value]
