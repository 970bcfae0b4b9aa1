"""The agent side: claim, reply, note, move stages, resolve, escalate, duty, queue."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot import escalation, guard, notices, queue_view, ratings, replies, tickets
from bot.events import AgentAct
from bot.kefu import Kefu
from bot.orders import refunds
from bot.outbox import deliver
from bot.records import RESOLVED, STAGES, AgentRecord, Conversation, Outgoing, Ticket


@dataclass(frozen=True)
class StaffResult:
    """What the acting agent is told at once, and what was queued for others."""

    ok: bool
    note: str
    outs: list[Outgoing] = field(default_factory=list)


def register_staff(k: Kefu, agent_id: int, name: str, role: str, on_duty: bool | None) -> None:
    """Record a staff member an adapter recognised; a known agent keeps their role."""
    now = k.now()
    with k.store.transaction():
        if k.store.agents.get(agent_id) is None:
            k.store.agents.upsert(agent_id, name or str(agent_id), role, now)
        if on_duty is not None:
            k.store.agents.set_duty(agent_id, on_duty, now)


def handle_agent(k: Kefu, act: AgentAct) -> StaffResult:
    """Apply one staff action atomically; unknown agents and bad tickets change nothing."""
    if act.action == "stage" and act.text.strip() == refunds.APPROVE:
        act = replace(act, action="approve_refund")  # `/stage 退款` approved before; kept for now
    now = k.now()
    with k.store.transaction(durable=True):
        if act.event_id and not k.store.inbox.first_time(act.event_id, now):
            return StaffResult(False, "重复的操作, 已忽略。")
        agent = k.store.agents.get(act.agent_id)
        if agent is None:
            return StaffResult(False, "无权限: 仅限客服成员操作。")
        if act.action in _GLOBAL:
            result = _GLOBAL[act.action](k, agent, act, now)
            return replace(result, outs=deliver(k.store, result.outs, now))
        ticket = k.store.tickets.get(act.ticket_id) if act.ticket_id else None
        if ticket is None or act.action not in _ON_TICKET:
            return StaffResult(False, "找不到该工单或操作无效。")
        if act.action == "reply" and act.file_id:
            result = _reply(k, agent, ticket, act.text.strip(), now, (act.kind, act.file_id))
        else:
            result = _ON_TICKET[act.action](k, agent, ticket, act.text.strip(), now)
        return replace(result, outs=deliver(k.store, result.outs, now))


def _closed(t: Ticket) -> str:
    """The stage as the agent reads it: 已解决 and 已关闭 carry their 已 already."""
    return t.stage if t.stage.startswith("已") else f"已{t.stage}"


def _claim(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime) -> StaffResult:
    if not t.is_open:
        return StaffResult(False, f"#{t.number} {_closed(t)}, 无需认领。")
    if t.agent_id == agent.id:  # claiming one's own ticket again selects it (console)
        return StaffResult(True, f"#{t.number} 已是你的")
    if not k.store.tickets.claim(t.id, agent.id, now):
        holder = k.store.agents.get(t.agent_id) if t.agent_id else None
        return StaffResult(False, f"#{t.number} 已被 {holder.name if holder else '他人'} 认领。")
    k.store.ticket_events.add(t.id, f"agent:{agent.id}", "claimed", now)
    mine = k.store.tickets.get(t.id)
    assert mine is not None
    # The card and the title show the claim: no "认领了" message in the thread as well.
    return StaffResult(True, f"已认领 #{t.number}", [
        tickets.to_buyer(t.user_id, replies.claimed(mine, agent.name), ticket_id=t.id),
        *tickets.refresh(k, t, mine, now)])


def _reply(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime,
           attachment: tuple[str, str] | None = None) -> StaffResult:
    if not text and attachment is None:
        return StaffResult(False, "回复内容为空。")
    if not t.is_open:
        return StaffResult(False, f"#{t.number} {_closed(t)}; 买家回复会重新打开它。")
    outs: list[Outgoing] = []
    if t.agent_id is None and k.store.tickets.claim(t.id, agent.id, now):
        k.store.ticket_events.add(t.id, f"agent:{agent.id}", "claimed", now)
        outs += tickets.refresh(k, t, k.store.tickets.get(t.id) or t, now)  # its new owner
    if t.first_reply_at is None:
        k.store.tickets.update(t.id, now, first_reply_at=now)
    else:
        k.store.tickets.update(t.id, now)
    kind, file_id = attachment or ("text", None)
    k.store.ticket_events.add(t.id, f"agent:{agent.id}", "reply", now, text=text,
                              **({"kind": kind, "file_id": file_id} if file_id else {}))
    outs.append(Outgoing("user", replies.agent_says(agent.name, text), user_id=t.user_id,
                         ticket_id=t.id, sender=f"agent:{agent.id}", kind=kind,
                         file_id=file_id))
    return StaffResult(True, f"已发送给买家 (#{t.number})", outs)


def _note(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime) -> StaffResult:
    if not text:
        return StaffResult(False, "用法: /note 内容")
    k.store.ticket_events.add(t.id, f"agent:{agent.id}", "note", now, text=text)
    # The agent's own /note stands in the thread already: no echo (the group's budget).
    return StaffResult(True, "备注已记录 (买家看不到)。")


def _stage(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime) -> StaffResult:
    if text not in STAGES[1:]:
        return StaffResult(False, f"阶段应为 {'/'.join(STAGES[1:])} 之一。")
    if not t.is_open:
        return StaffResult(False, f"#{t.number} {_closed(t)}。")
    k.store.tickets.update(t.id, now, stage=text)
    k.store.ticket_events.add(t.id, f"agent:{agent.id}", "stage", now, stage=text, was=t.stage)
    moved = k.store.tickets.get(t.id)
    assert moved is not None
    # The card shows the stage: one edit, not a notice as well.
    return StaffResult(True, f"#{t.number} → {text}", [
        tickets.to_buyer(t.user_id, replies.stage_push(moved, text, k.config.reopen_days),
                         ticket_id=t.id), *tickets.refresh(k, t, moved, now)])


def _approve_refund(k: Kefu, agent: AgentRecord, t: Ticket, text: str,
                    now: datetime) -> StaffResult:
    return StaffResult(*refunds.approve(k, agent, t, now))


def _resolve(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime) -> StaffResult:
    if not t.is_open:
        return StaffResult(False, f"#{t.number} {_closed(t)}。")
    k.store.tickets.update(t.id, now, stage=RESOLVED, resolved_at=now,
                           agent_id=t.agent_id or agent.id, owner="agent")
    k.store.ticket_events.add(t.id, f"agent:{agent.id}", "resolved", now, text=text)
    k.store.conversations.save(Conversation(t.user_id), now)
    done = k.store.tickets.get(t.id)
    assert done is not None
    # The card, the title (✅) and the closed topic show it: no "解决了" message.
    return StaffResult(True, f"#{t.number} 已解决", [
        ratings.resolved_message(k, done), *tickets.refresh(k, t, done, now)])


def _escalate(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime) -> StaffResult:
    if not t.is_open:
        return StaffResult(False, f"#{t.number} {_closed(t)}。")
    esc = escalation.escalate(k, t, escalation.AGENT, now, actor=f"agent:{agent.id}",
                              exclude={agent.id}, note=text)
    head = f"⬆️ {agent.name} 升级了 #{t.number}" + (f": {text}" if text else "")
    moved = f", 转给 {esc.senior.name}" if esc.senior else ""
    return StaffResult(True, f"#{t.number} 升级为 {esc.after.tier}{moved}", [
        escalation.staff_notice(esc, head), *escalation.thread_update(k, esc, now),
        escalation.buyer_message(esc, now)])


def _show(k: Kefu, agent: AgentRecord, t: Ticket, text: str, now: datetime) -> StaffResult:
    return StaffResult(True, tickets.staff_card(k, t, now).text)


def _duty(k: Kefu, agent: AgentRecord, act: AgentAct, now: datetime) -> StaffResult:
    arg = act.text.strip().lower()
    if arg not in ("on", "off"):
        on = [a.name for a in k.store.agents.on_duty()]
        return StaffResult(False, "用法: /duty on|off\n在岗: " + (", ".join(on) or "无"))
    k.store.agents.set_duty(agent.id, arg == "on", now)
    return StaffResult(True, f"{agent.name} {'上岗' if arg == 'on' else '下岗'}。")


def _queue(k: Kefu, agent: AgentRecord, act: AgentAct, now: datetime) -> StaffResult:
    ask = queue_view.parse(act.text)
    if ask is None:
        return StaffResult(False, queue_view.usage())
    rows = []
    for t in k.store.tickets.all_open():
        sla = tickets.sla_view(k, t, now)
        rows.append(queue_view.QueueRow(t, tickets.agent_name(k, t),
                                        None if sla.paused else sla.due))
    return StaffResult(True, queue_view.queue_text(rows, ask, agent.id, now))


_ON_TICKET = {"claim": _claim, "reply": _reply, "note": _note, "stage": _stage,
              "approve_refund": _approve_refund, "resolve": _resolve, "escalate": _escalate,
              "show": _show}
def _notice(k: Kefu, agent: AgentRecord, act: AgentAct, now: datetime) -> StaffResult:
    return StaffResult(*notices.start(k, agent, act.text, now))


def _notice_end(k: Kefu, agent: AgentRecord, act: AgentAct, now: datetime) -> StaffResult:
    return StaffResult(*notices.end(k, agent, act.text, now))


def _block(k: Kefu, agent: AgentRecord, act: AgentAct, now: datetime) -> StaffResult:
    return StaffResult(*guard.block(k, agent, act.text, act.ticket_id, now))


def _unblock(k: Kefu, agent: AgentRecord, act: AgentAct, now: datetime) -> StaffResult:
    return StaffResult(*guard.unblock(k, agent, act.text, act.ticket_id, now))


_GLOBAL = {"duty": _duty, "queue": _queue, "notice": _notice, "notice_end": _notice_end,
           "block": _block, "unblock": _unblock}
# Actions that need no ticket: adapters accept them anywhere in the staff chat.
GLOBAL_ACTIONS = frozenset(_GLOBAL)
