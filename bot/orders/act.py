"""Carry out a Remedy: answer, hand over, ask again, or refund / resend through the shop.

Every automatic action lands on a ticket as an event and on its staff card, so
agents see what kefu did. Runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot import remedy as rm
from bot import replies
from bot.kefu import Kefu
from bot.orders import Order, OrderBackend, calls, refunds
from bot.orders import wording as w
from bot.orders.ticketing import Checked, facts, noted, open_handled
from bot.outbox import to_buyer, to_staff
from bot.records import RESOLVED, Conversation
from intents.faq import Intent


def carry_out(k: Kefu, conv: Conversation, intent: Intent, order: Order | None,
              remedy: rm.Remedy, backend: OrderBackend, now: datetime) -> Checked:
    """Do what the remedy says; the lookup and its outcome are logged either way."""
    order_no = order.order_no if order else conv.details["order_no"]
    k.store.orders.record_check(conv.user_id, order_no, intent.id, order.status if order else None,
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
        return refunds.start(k, replace(conv, details=details), better, order, backend, now)
    if remedy.then == rm.RESEND and order is not None:
        return _resend(k, replace(conv, details=details), better, order, backend, now)
    if remedy.refund_card and order is not None:
        details["refund"] = refunds.bound(order, refunds.AWAITING)
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


def _resend(k: Kefu, conv: Conversation, intent: Intent, order: Order, backend: OrderBackend,
            now: datetime) -> Checked:
    """A delivered code the buyer did not get: the shop sends it again, never this chat."""
    uid = conv.user_id
    number = k.store.tickets.next_number()  # the ticket this resend is recorded on
    result = calls.request(k, calls.RequestResend(order, number))
    if not result.ok:
        details = noted(conv.details, f"自动补发失败 ({result.detail}), 请人工补发",
                        "resend_failed", detail=result.detail)
        details.setdefault("demand", "补发")
        say = w.delivered_text(order, now) + "\n" + w.RESEND_FAILED
        return Checked(replace(conv, details=details), [to_buyer(uid, say)], intent=intent)
    details = {**conv.details, "demand": "补发"}
    ticket, outs = open_handled(k, uid, intent, details, now, RESOLVED, None)
    k.store.ticket_events.add(ticket.id, "bot", "resend_requested", now,
                              reference=result.reference)
    k.store.order_actions.record(order.order_no, "resend", ticket.id, uid, now, order.amount,
                                 result.reference)
    notice = (f"🤖 已通过商城系统自动补发卡密 (参考号 {result.reference or '无'}), "
              "工单已自动解决; 买家回复会重新打开")
    return Checked(Conversation(uid),
                   [to_buyer(uid, w.resend_text(order, ticket.number, now), ticket_id=ticket.id),
                    *outs, to_staff(ticket.id, notice)], True)
