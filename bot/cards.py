"""Staff-facing text: the ticket card, the queue, terse notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import plain, same_order, urgency
from bot.callbacks import Claim, Escalate, Resolve, SetStage, choice
from bot.eta import format_due
from bot.orders.card import order_lines, refund_choice
from bot.records import Choice, Ticket

TIER_MARK = {"S": "🔴", "A": "🟠", "B": "🟢"}
BREACHED_MARK = "🔴"
STAGE_MARK = {"受理": "🆕", "核实": "🔎", "处理": "🛠", "反馈": "💬",
              "已解决": "✅", "已关闭": "⚪"}


def staff_choices(t: Ticket) -> tuple[Choice, ...]:
    """The buttons on a ticket card."""
    return (choice("认领", Claim(t.id)), choice("核实中", SetStage(t.id, "核实")),
            choice("处理中", SetStage(t.id, "处理")), choice("已解决", Resolve(t.id)),
            choice("升级", Escalate(t.id)), *refund_choice(t))


def mark(t: Ticket) -> str:
    """Stage mark when closed; red once an SLA target was missed; else the tier's colour."""
    if not t.is_open:
        return STAGE_MARK.get(t.stage, "")
    return BREACHED_MARK if t.breached_at else TIER_MARK.get(t.tier, "")


def topic_title(t: Ticket) -> str:
    """Forum topic name: mark, number, tier, category."""
    return f"{mark(t)} #{t.number} {t.tier} {plain.one_line(t.title)}"[:128]


def card(t: Ticket, user_name: str, transcript: list[dict[str, Any]], sla_due: datetime | None,
         now: datetime, agent_name: str | None = None) -> str:
    """Everything the bot collected, on one screen; whatever a buyer wrote shows on one line."""
    title, said = plain.one_line(t.title), plain.one_line(t.demand_text or "")
    lines = [f"{mark(t)} #{t.number} {t.tier} {title} [{t.stage}]",
             f"用户: {plain.name(user_name, str(t.user_id))} (id {t.user_id})",
             f"订单号: {plain.one_line(t.order_no or '') or '未提供'}", *same_order.card_line(t),
             f"问题: {title} ({t.intent})",
             f"诉求: {t.demand or '-'}" + (f" ({said})" if said else "")]
    if t.amount is not None:
        lines.append(f"金额: {t.amount:g} 元")
    lines.extend(_buyer_lines(t))
    evidence = t.details.get("evidence") or []
    if evidence:
        lines.append(f"证据: {len(evidence)} 个附件")
    if t.details.get("error_text"):
        lines.append(f"报错: {plain.one_line(str(t.details['error_text']), 300)}")
    lines.extend(order_lines(t, now))
    promised = format_due(t.promised_at, now) if t.promised_at else "-"
    sla = format_due(sla_due, now) if sla_due else "-"
    risk = " 🔴 已超时" if t.breached_at else (" ⚠️ 有超时风险" if t.at_risk else "")
    lines.append(f"承诺回复: {promised} · SLA: {sla}{risk}")
    lines.append(f"负责人: {agent_name or '未认领'}")
    lines.append("—— 对话 ——")
    lines.extend(_transcript_line(m) for m in transcript[-12:])
    return "\n".join(lines)


def _buyer_lines(t: Ticket) -> list[str]:
    """The problem in the buyer's own words, further problems, and their mood."""
    lines = []
    if t.details.get("issue"):
        lines.append(f"描述: {plain.one_line(str(t.details['issue']), 300)}")
    also = [str(i) for i in t.details.get("also") or []]
    if also:
        lines.append(f"另有问题: {', '.join(also)} (同一条消息)")
    mood = urgency.staff_line(t.details.get("mood"))
    return [*lines, *([mood] if mood else [])]


def _transcript_line(m: dict[str, Any]) -> str:
    """One message, one line: a buyer's Enter must not start a line that looks like ours."""
    who = {"buyer": "买家", "bot": "机器人"}.get(m["sender"], "客服")
    text = plain.one_line(str(m["text"] or ""), 200)
    return f"{who}: {text}" if m["kind"] == "text" else f"{who}: [{m['kind']}] {text}"


def queue_text(tickets: list[Ticket], now: datetime) -> str:
    """Open tickets by tier with time left before the promise."""
    if not tickets:
        return "队列为空。"
    lines = [f"待处理 {len(tickets)} 单:"]
    for t in tickets:
        left = _left(t.promised_at, now) if t.first_reply_at is None else "已回复"
        who = f"@{t.agent_id}" if t.agent_id else "未认领"
        hot = "⚡" if t.priority else ""  # an upset or threatening buyer: first in the tier
        lines.append(f"{TIER_MARK.get(t.tier, '')}{hot} #{t.number} {t.tier} "
                     f"{plain.one_line(t.title)} [{t.stage}] {who} · {left}")
    return "\n".join(lines)


def _left(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "无承诺"
    minutes = int((due - now).total_seconds() // 60)
    return f"剩 {minutes} 分钟" if minutes >= 0 else f"已超时 {-minutes} 分钟"
