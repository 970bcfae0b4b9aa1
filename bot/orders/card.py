"""The order section of a staff ticket card: what the shop's system said, what kefu did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.callbacks import ApproveRefund, choice
from bot.records import Choice, Ticket

REFUND_STATES = {"awaiting_approval": "待批准 (点「批准退款」)", "requested": "已向商城提交",
                 "approved": "已批准, 待商城完成", "done": "已完成"}


def changed_text(refund: dict[str, Any]) -> str:
    """Why a voided refund cannot be approved: on the card, and to an agent who taps it."""
    return (f"订单号已被买家修改 (原 {refund.get('order_no')} → 现 "
            f"{refund.get('changed_to') or '无'}), 原待批准退款已作废, 请重新核实")


def order_lines(t: Ticket, now: datetime) -> list[str]:
    """Lines for the card (times on the shop's clock); none when no order was looked up."""
    found: dict[str, Any] | None = t.details.get("order")
    if not found:
        return []
    lines = [f"订单系统: {_summary(found, now)}"]
    refund = t.details.get("refund")
    if refund:
        ref = f", 参考号 {refund['reference']}" if refund.get("reference") else ""
        state = (changed_text(refund) if refund.get("state") == "voided"
                 else REFUND_STATES.get(refund.get("state"), refund.get("state")))
        lines.append(f"退款: {state}{ref}")
    lines.extend(f"备注: {note}" for note in t.details.get("order_notes", []))
    return lines


def refund_choice(t: Ticket) -> tuple[Choice, ...]:
    """The one-tap approval button while a fast-path refund waits for an agent."""
    waiting = (t.details.get("refund") or {}).get("state") == "awaiting_approval"
    return (choice("批准退款", ApproveRefund(t.id)),) if waiting and t.is_open else ()


def _summary(found: dict[str, Any], now: datetime) -> str:
    if found.get("unavailable"):
        return "查询失败"
    if found.get("found") is False:
        return "查无此单"
    parts = [found.get("status", "?")]
    if isinstance(found.get("amount"), int | float):
        parts.append(f"{found['amount']:g} 元")
    parts += [found[k] for k in ("product", "pay_channel") if found.get(k)]
    if found.get("paid_at"):
        parts.append("付款 " + _short(found["paid_at"], now))
    if found.get("code_tail"):
        parts.append(f"卡密尾号 {found['code_tail']}")
    if found.get("buyer"):
        parts.append(f"买家 {found['buyer']}")
    return " · ".join(parts)


def _short(iso: str, now: datetime) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(now.tzinfo).strftime("%m-%d %H:%M")
    except ValueError:
        return iso[:16]
