"""Abuse guard: a per-buyer flood limit, and buyers blocked by staff.

`screen` runs inside the buyer's turn, after the event was recorded: a message
from a flood or from a blocked buyer keeps its row in the transcript (who, when,
what kind: the flood limit counts them) but not its text, opens no ticket and asks
nothing. `block` / `unblock` are the staff side (/block, /unblock).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from bot import plain, replies
from bot.clock import shift
from bot.eta import format_due
from bot.kefu import Kefu
from bot.outbox import to_buyer, to_staff
from bot.records import AgentRecord, Outgoing

logger = logging.getLogger(__name__)
WINDOW = timedelta(minutes=1)
BLOCK_USAGE = ("用法: /block 用户ID或工单号 [原因], 例如 /block T1001 恶意刷屏; "
               "在工单话题里可以省略工单号。解除: /unblock 用户ID或工单号。")
UNBLOCK_USAGE = "用法: /unblock 用户ID或工单号, 例如 /unblock T1001; 在工单话题里可以省略工单号。"
_REF = re.compile(r"#?[Tt]\d{1,18}|\d{1,18}")  # longer numbers cannot be ids (SQLite int64)


def judge(*, blocked: bool, told_blocked: bool, recent: int, limit: int, warned: bool) -> str:
    """What to do with a buyer event: "pass", "slow_down", "tell_blocked" or "quiet"."""
    if blocked:
        return "quiet" if told_blocked else "tell_blocked"
    if limit <= 0 or recent <= limit:
        return "pass"
    return "quiet" if warned else "slow_down"


def resume_time(now: datetime) -> datetime:
    """When a slowed-down buyer may write again: a window later, on the next full minute."""
    later = shift(now, WINDOW)
    whole = later.replace(second=0, microsecond=0)
    return whole if whole == later else whole + timedelta(minutes=1)


def screen(k: Kefu, user_id: int, now: datetime) -> list[Outgoing] | None:
    """None lets the event through; otherwise the replies to send instead of handling it."""
    store, limit = k.store, k.config.guard.flood_per_minute
    blocked = store.users.is_blocked(user_id)
    recent = 0 if blocked or limit <= 0 else \
        store.messages.count_in_since(user_id, shift(now, -WINDOW))
    # The last two facts cost a query each; the usual buyer (not blocked, under the limit)
    # needs neither.
    verdict = judge(blocked=blocked, told_blocked=blocked and _told_blocked(k, user_id),
                    recent=recent, limit=limit,
                    warned=recent > limit > 0 and _warned(k, user_id, now))
    if verdict == "pass":
        return None
    if verdict == "tell_blocked":
        store.users.add_event(user_id, "bot", "blocked_notice", now)
        return [to_buyer(user_id, replies.BLOCKED)]
    if verdict == "quiet":
        return []
    store.users.add_event(user_id, "bot", "flooded", now, messages=recent)
    logger.warning("buyer %s sent %s messages within a minute: slowed down", user_id, recent)
    return [to_buyer(user_id, replies.SLOW_DOWN.format(until=format_due(resume_time(now), now))),
            *_tell_staff_of_flood(k, user_id, recent)]


def _told_blocked(k: Kefu, user_id: int) -> bool:
    return k.store.users.latest_event(user_id, "blocked", "blocked_notice") == "blocked_notice"


def _warned(k: Kefu, user_id: int, now: datetime) -> bool:
    last = k.store.users.last_event(user_id, "flooded")
    return last is not None and last > shift(now, -WINDOW)


def _tell_staff_of_flood(k: Kefu, user_id: int, recent: int) -> list[Outgoing]:
    """Staff hear of a flood in the buyer's open ticket; without one it is only recorded."""
    ticket = k.store.tickets.open_of(user_id)
    if ticket is None:
        return []
    return [to_staff(ticket.id, f"⚠️ 买家 {_who(k, user_id)} 1 分钟内"
                                f"发了 {recent} 条消息, 已暂停自动回复 (只记录条数, 不保存内容)。"
                                f"如属恶意刷屏, 可在本话题发 /block 原因")]


def _who(k: Kefu, user_id: int) -> str:
    """The buyer as staff see them: a name that cannot reorder or break the line, and the id."""
    return f"{plain.name(k.store.users.name(user_id), str(user_id))} (id {user_id})"


def parse(text: str) -> tuple[str | None, str]:
    """Split /block arguments into a target (a user id or "T1001") and the reason."""
    first, _, rest = text.strip().partition(" ")
    if _REF.fullmatch(first):
        return first.lstrip("#").upper(), rest.strip()
    return None, text.strip()


def _buyer(k: Kefu, ref: str | None, ticket_id: int | None) -> tuple[int | None, str]:
    """The buyer a target names (or the buyer of the ticket in hand), else why not."""
    if ref is None and ticket_id is None:
        return None, ""  # the caller shows its usage
    if ref is None or ref.startswith("T"):
        ticket = k.store.tickets.by_number(ref) if ref else k.store.tickets.get(ticket_id or 0)
        return (ticket.user_id, "") if ticket else (None, f"找不到工单 {ref}。")
    if not k.store.users.known(int(ref)):
        return None, f"没有找到用户 {ref} (对方从未给机器人发过消息)。"
    return int(ref), ""


def block(k: Kefu, agent: AgentRecord, text: str, ticket_id: int | None,
          now: datetime) -> tuple[bool, str, list[Outgoing]]:
    """/block: stop handling a buyer's messages; recorded as an event, told to the thread."""
    ref, reason = parse(text)
    user_id, problem = _buyer(k, ref, ticket_id)
    if user_id is None:
        return False, problem or BLOCK_USAGE, []
    if k.store.agents.get(user_id) or k.config.agent(user_id):
        return False, "不能屏蔽客服成员。", []
    who = _who(k, user_id)
    if k.store.users.is_blocked(user_id):
        return False, f"买家 {who} 已经被屏蔽了。", []
    k.store.users.set_blocked(user_id, True)
    k.store.users.add_event(user_id, f"agent:{agent.id}", "blocked", now, reason=reason[:500])
    why = f": {reason[:200]}" if reason else ""
    note = f"已屏蔽买家 {who}{why}。对方再发消息只会收到一次简短提示。解除: /unblock {user_id}"
    return True, note, _tell_thread(k, user_id, f"⛔ {agent.name} 屏蔽了买家 {who}{why}", now)


def unblock(k: Kefu, agent: AgentRecord, text: str, ticket_id: int | None,
            now: datetime) -> tuple[bool, str, list[Outgoing]]:
    """/unblock: the buyer's messages are handled again from the next one."""
    ref, reason = parse(text)
    user_id, problem = _buyer(k, ref, ticket_id)
    if user_id is None:
        return False, problem or UNBLOCK_USAGE, []
    who = _who(k, user_id)
    if not k.store.users.is_blocked(user_id):
        return False, f"买家 {who} 没有被屏蔽。", []
    k.store.users.set_blocked(user_id, False)
    k.store.users.add_event(user_id, f"agent:{agent.id}", "unblocked", now, reason=reason[:500])
    return True, f"已解除对买家 {who} 的屏蔽。", _tell_thread(
        k, user_id, f"✅ {agent.name} 解除了对买家 {who} 的屏蔽", now)


def _tell_thread(k: Kefu, user_id: int, text: str, now: datetime) -> list[Outgoing]:
    ticket = k.store.tickets.open_of(user_id)
    if ticket is None:
        return []
    k.store.ticket_events.add(ticket.id, "bot", "buyer_guard", now, text=text)
    return [to_staff(ticket.id, text)]
