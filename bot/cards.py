"""Staff-facing text: the ticket card, the queue, terse notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import plain, same_order, urgency
from bot.callbacks import Claim, Escalate, Resolve, SetStage, choice
from bot.eta import format_due
from bot.orders.card import order_lines, refund_choice
from bot.records import Choice, Ticket

# Tier and breach are different marks: a topic reading 🔴 used to mean either (issue 16).
TIER_MARK = {"S": "🟣", "A": "🟠", "B": "🟢"}
BREACHED_MARK = "⏰"
STAGE_MARK = {"受理": "🆕", "核实": "🔎", "处理": "🛠", "反馈": "💬",
              "已解决": "✅", "已关闭": "⚪"}
NAMES = {"first_reply": "首次回复", "resolve": "解决"}


@dataclass(frozen=True)
class SlaView:
    """The SLA target a ticket works toward now, as the card shows it."""

    kind: str | None  # first_reply | resolve; None: every target met
    due: datetime | None
    paused: bool = False  # waiting for the buyer (反馈): the clock stands still


def staff_choices(t: Ticket) -> tuple[Choice, ...]:
    """The buttons on a ticket card; a closed ticket has none (the buyer reopens it)."""
    if not t.is_open:
        return ()
    return (choice("认领", Claim(t.id)), choice("核实中", SetStage(t.id, "核实")),
            choice("处理中", SetStage(t.id, "处理")), choice("已解决", Resolve(t.id)),
            choice("升级", Escalate(t.id)), *refund_choice(t))


def mark(t: Ticket) -> str:
    """Stage mark when closed; else the tier's colour, and ⏰ once an SLA target was missed."""
    if not t.is_open:
        return STAGE_MARK.get(t.stage, "")
    return TIER_MARK.get(t.tier, "") + (BREACHED_MARK if t.breached_at else "")


def topic_title(t: Ticket) -> str:
    """Forum topic name: tier mark (⏰ once breached), number, tier, category.

    It changes only with the tier or a breach: each rename costs one of the group's 20
    messages a minute. A closed ticket's topic is closed (🔒 in the topic list) rather than
    renamed ✅, and its owner is on the card and in `/queue mine`, not renamed in on claim."""
    marks = TIER_MARK.get(t.tier, "") + (BREACHED_MARK if t.breached_at else "")
    return f"{marks} #{t.number} {t.tier} {plain.one_line(t.title)}"[:128]


def minutes_left(due: datetime, now: datetime) -> str:
    """Time to a deadline as agents read it: never "剩 0 分钟" with seconds to go."""
    seconds = (due - now).total_seconds()
    if 0 <= seconds < 60:
        return "不到 1 分钟"
    minutes = int(abs(seconds) // 60)
    return f"剩 {minutes} 分钟" if seconds >= 0 else f"已超时 {minutes} 分钟"


def card(t: Ticket, user_name: str, transcript: list[dict[str, Any]], sla: SlaView | None,
         now: datetime, agent_name: str | None = None,
         reopen_until: datetime | None = None) -> str:
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
    lines.extend(_state_lines(t, sla, now, reopen_until))
    lines.append(f"负责人: {agent_name or '未认领'}")
    lines.append("—— 对话 ——")
    lines.extend(_transcript_line(m) for m in transcript[-12:])
    return "\n".join(lines)


def _state_lines(t: Ticket, sla: SlaView | None, now: datetime,
                 reopen_until: datetime | None) -> list[str]:
    """Open: the promise and the SLA; closed: when, and until when the buyer can reopen."""
    if not t.is_open:
        done = format_due(t.resolved_at, now) if t.resolved_at else "-"
        until = (f" · 买家回复可重新打开 (至 {format_due(reopen_until, now)})"
                 if reopen_until and reopen_until > now else " · 已过重新打开期限")
        return [f"{t.stage}: {done}{until}"]
    promised = "已回复" if t.first_reply_at else (
        f"{format_due(t.promised_at, now)}" if t.promised_at else "-")
    return [f"承诺回复: {promised} · {_sla_text(t, sla, now)}"]


def _sla_text(t: Ticket, sla: SlaView | None, now: datetime) -> str:
    """The SLA part of the card: a future time is never shown as missed."""
    if sla is None or sla.due is None or sla.kind is None:
        return "SLA: 已达成"
    if sla.paused:
        return f"SLA({NAMES[sla.kind]}): ⏸ 等买家反馈, 暂停计时"
    if sla.due <= now:
        flag = f" {BREACHED_MARK} 已超时"
    elif t.breached_at:
        flag = " (曾超时, 已升级)"
    else:
        flag = " ⚠️ 有超时风险" if t.at_risk else ""
    return f"SLA({NAMES[sla.kind]}): {format_due(sla.due, now)}{flag}"


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
