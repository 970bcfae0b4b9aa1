"""/queue: open tickets by tier, filtered, with who has them and the time left, in pages
that fit one Telegram message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import plain
from bot.cards import BREACHED_MARK, TIER_MARK, minutes_left
from bot.outbox import TEXT_LIMIT, utf16_units
from bot.records import Ticket

FILTERS = {"mine": "我的", "unclaimed": "未认领", "breached": "已超时"}
PAGE_UNITS = TEXT_LIMIT - 400  # room for the header and the footer
LEGEND = "承诺 = 答应买家的首次回复时间 · SLA = 内部时限"


@dataclass(frozen=True)
class QueueRow:
    """One open ticket and what the queue says about it."""

    ticket: Ticket
    agent_name: str | None
    sla_due: datetime | None  # the next SLA target, None when met or paused


@dataclass(frozen=True)
class QueueAsk:
    """What `/queue [mine|unclaimed|breached] [page]` asked for."""

    view: str | None  # a FILTERS key, None for all
    page: int  # from 1


def parse(text: str) -> QueueAsk | None:
    """The filter and page of a /queue command; None when a word is not understood."""
    view, page = None, 1
    for word in text.lower().split():
        if word.isdigit() and int(word) > 0:
            page = int(word)
        elif word in FILTERS:
            view = word
        else:
            return None
    return QueueAsk(view, page)


def usage() -> str:
    """How /queue is used."""
    return "用法: /queue [mine|unclaimed|breached] [页码]"


def keep(row: QueueRow, view: str | None, me: int, now: datetime) -> bool:
    """Whether a ticket belongs to the chosen view."""
    t = row.ticket
    if view == "mine":
        return t.agent_id == me
    if view == "unclaimed":
        return t.agent_id is None
    if view == "breached":
        return bool(t.breached_at) or bool(row.sla_due and row.sla_due <= now)
    return True


def line(row: QueueRow, now: datetime) -> str:
    """One ticket: tier, number, category, stage, owner, promise and SLA time left."""
    t = row.ticket
    hot = "⚡" if t.priority else ""  # an upset or threatening buyer: first in the tier
    late = BREACHED_MARK if t.breached_at else ""
    who = plain.one_line(row.agent_name, 20) if row.agent_name else "未认领"
    promised = "已回复" if t.first_reply_at else (
        f"承诺 {minutes_left(t.promised_at, now)}" if t.promised_at else "无承诺")
    sla = f"SLA {minutes_left(row.sla_due, now)}" if row.sla_due else "SLA 暂停/已达成"
    return (f"{TIER_MARK.get(t.tier, '')}{late}{hot} #{t.number} {t.tier} "
            f"{plain.one_line(t.title, 40)} [{t.stage}] {who} · {promised} · {sla}")


def pages(lines: list[str], units: int = PAGE_UNITS) -> list[list[str]]:
    """Lines cut into pages of at most `units` UTF-16 units each."""
    out: list[list[str]] = [[]]
    size = 0
    for text in lines:
        cost = utf16_units(text) + 1
        if out[-1] and size + cost > units:
            out.append([])
            size = 0
        out[-1].append(text)
        size += cost
    return out


def queue_text(rows: list[QueueRow], ask: QueueAsk, me: int, now: datetime) -> str:
    """The asked page of the asked view, with a header saying what 剩 counts to."""
    chosen = [r for r in rows if keep(r, ask.view, me, now)]
    name = FILTERS.get(ask.view or "", "全部")
    if not chosen:
        return f"队列 ({name}) 为空。"
    book = pages([line(r, now) for r in chosen])
    page = min(ask.page, len(book))
    head = f"待处理 {len(chosen)} 单 ({name}) · {LEGEND}"
    foot = ""
    if len(book) > 1:
        more = f" · /queue {ask.view + ' ' if ask.view else ''}{page + 1} 下一页" \
            if page < len(book) else ""
        foot = f"\n第 {page}/{len(book)} 页{more}"
    return "\n".join([head, *book[page - 1]]) + foot
