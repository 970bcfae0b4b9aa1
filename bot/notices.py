"""Channel notices: "支付宝通道维护中, 预计 15:10 恢复", said before any ticket is opened.

When a payment or recharge channel is down, every buyer of that channel asks at
once. Staff post one notice (/notice 支付宝 30 说明); kefu answers those buyers
with it, tells open tickets about that channel once, and when staff end it
(/notice_end 支付宝) tells everyone who asked that it works again. If the time
passes with no word, staff are asked for an update: a promise that silently
expires is the "请耐心等待" this product exists to end.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot import replies
from bot.callbacks import Feedback, choice
from bot.clock import shift
from bot.eta import format_due
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import AgentRecord, Conversation, Notice, Outgoing, Ticket

# Questions a notice can answer: a buyer asking whether a channel is down, and
# failed or late recharges that name the channel.
ASKING = "channel_maintenance"
RECHARGE = ("recharge_failed", "recharge_delayed")
MAX_MINUTES = 24 * 60
WAIT = choice("好的, 等恢复", Feedback("wait"))
USAGE = ("用法: /notice 渠道 分钟 说明, 例: /notice 支付宝 30 支付宝充值通道维护\n"
         "结束: /notice_end 渠道")


def mentions(k: Kefu, notice: Notice, text: str) -> bool:
    """Whether a buyer's text names the notice's channel (or an alias from config)."""
    norm = k.matcher.normalize(text)
    names = (k.matcher.normalize(name).strip() for name in k.config.notices.names(notice.channel))
    return any(name and name in norm for name in names)


def relevant(k: Kefu, intent_id: str, text: str) -> list[Notice]:
    """The active notices that answer this question, if any."""
    if intent_id != ASKING and intent_id not in RECHARGE:
        return []
    active = k.store.notices.all_active()
    named = [n for n in active if mentions(k, n, text)]
    # "通道是不是在维护" names no channel: every current notice answers it.
    return named or (active if intent_id == ASKING else [])


def describe(k: Kefu, notice: Notice, now: datetime) -> str:
    """One notice as a buyer reads it: what, until when, what to do meanwhile."""
    line = replies.notice_line(notice.channel, notice.text, notice.until, now)
    alternative = k.config.notices.alternative(notice.channel)
    return f"{line}\n{alternative}" if alternative else line


def answer(k: Kefu, conv: Conversation, intent_id: str, notices: list[Notice],
           details: dict, now: datetime) -> tuple[Conversation, list[Outgoing]]:
    """Answer with the notices; the buyer hears the all-clear, or asks for a person."""
    for notice in notices:
        k.store.notices.add_buyer(notice.id, conv.user_id, now)
    text = "\n".join(describe(k, n, now) for n in notices) + replies.NOTICE_NEXT
    feedback = Conversation(conv.user_id, "feedback", intent_id, details)
    return feedback, [to_buyer(conv.user_id, text, WAIT, replies.UNSOLVED)]


Result = tuple[bool, str, list[Outgoing]]  # ok, what the agent is told, what was queued


def start(k: Kefu, agent: AgentRecord, args: str, now: datetime) -> Result:
    """/notice CHANNEL MINUTES TEXT: post or update a notice, tell affected open tickets."""
    parts = args.split(maxsplit=2)
    # isdecimal and short: int() rejects "²" and strings of 4300+ digits.
    if len(parts) < 2 or not (parts[1].isdecimal() and len(parts[1]) <= 6) \
            or not 1 <= int(parts[1]) <= MAX_MINUTES:
        return False, f"{USAGE}\n{_listing(k, now)}", []
    channel, minutes = parts[0][:30], int(parts[1])
    text = parts[2].strip()[:200] if len(parts) > 2 else f"{channel}通道维护中"
    notice, new = k.store.notices.start(channel, text, shift(now, timedelta(minutes=minutes)),
                                        agent.id, now)
    outs = _tell_open_tickets(k, notice, now)
    verb = "已发布" if new else "已更新"
    told = sum(o.audience == "user" for o in outs)
    return True, (f"{verb}通知 {channel}: {text}, 预计 {format_due(notice.until, now)} 恢复; "
                  f"已告知 {told} 个相关工单。"), outs


def end(k: Kefu, agent: AgentRecord, args: str, now: datetime) -> Result:
    """/notice_end CHANNEL: end it and tell every buyer who asked that it works again."""
    channel = args.strip()[:30]
    notice = k.store.notices.active(channel) if channel else None
    if notice is None:
        return False, f"没有进行中的通知: {channel or '(未填渠道)'}\n{_listing(k, now)}", []
    k.store.notices.mark(notice.id, now, "ended_at")
    outs = [to_buyer(uid, replies.notice_over(notice.channel))
            for uid in k.store.notices.untold(notice.id, now)]
    return True, f"{channel} 已恢复, 已通知 {len(outs)} 位买家。", outs


def check_due(k: Kefu, now: datetime) -> list[Outgoing]:
    """Notices whose time has passed with no word: ask staff once for an update."""
    return [_ask_staff(k, n, now) for n in k.store.notices.all_active()
            if n.until <= now and n.staff_asked_at is None]


def _ask_staff(k: Kefu, notice: Notice, now: datetime) -> Outgoing:
    k.store.notices.mark(notice.id, now, "staff_asked_at")
    return Outgoing("staff", f"⏰ 通知「{notice.channel}」预计恢复时间 "
                             f"{format_due(notice.until, now)} 已过。已恢复请 /notice_end "
                             f"{notice.channel}; 未恢复请 /notice {notice.channel} 分钟 说明 "
                             f"更新时间。")


def _tell_open_tickets(k: Kefu, notice: Notice, now: datetime) -> list[Outgoing]:
    """Open tickets about this channel hear about the notice, once per notice."""
    outs: list[Outgoing] = []
    for t in k.store.tickets.all_open():
        if t.intent not in (ASKING, *RECHARGE) or not _about(k, notice, t):
            continue
        if any(e["event"] == "notice_told" and json.loads(e["data"] or "{}").get("notice")
               == notice.id for e in k.store.ticket_events.of(t.id)):
            continue
        k.store.ticket_events.add(t.id, "bot", "notice_told", now, notice=notice.id)
        k.store.notices.add_buyer(notice.id, t.user_id, now)
        outs += [to_buyer(t.user_id, replies.notice_for_ticket(t, describe(k, notice, now)),
                          ticket_id=t.id),
                 to_staff(t.id, f"ℹ️ 已告知买家通道通知: {notice.channel} {notice.text}")]
    return outs


def _about(k: Kefu, notice: Notice, t: Ticket) -> bool:
    return mentions(k, notice, "\n".join(k.store.messages.buyer_words(t.id)))


def _listing(k: Kefu, now: datetime) -> str:
    active = k.store.notices.all_active()
    if not active:
        return "当前没有通道通知。"
    return "当前通知:\n" + "\n".join(
        f"· {n.channel}: {n.text} (预计 {format_due(n.until, now)})" for n in active)
