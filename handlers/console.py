"""The terminal adapter: a buyer chat and an agent desk over the shared SQLite file.

Both sides deliver from the outbox, so a reply typed in the agent terminal
shows up in the buyer terminal, with no network at all.
"""

from __future__ import annotations

import io
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from bot import door
from bot.callbacks import ApproveRefund, SetStage, decode, typed_keys
from bot.config import Config
from bot.events import AgentAct, BuyerCommand, BuyerEvent, BuyerSaid
from bot.kefu import Kefu, bootstrap
from bot.orders.calls import perform
from bot.records import Outgoing
from bot.staff import GLOBAL_ACTIONS

POLL_SECONDS = 0.5
CONSOLE_AGENT_IDS = 900_000  # console agents get ids no Telegram user has


def buyer_event(user_id: int, name: str, line: str) -> BuyerEvent:
    """Turn a typed line into a core event (/commands included)."""
    if line.startswith("/") and len(line) > 1:
        command, _, args = line[1:].partition(" ")
        return BuyerCommand(user_id, command.lower(), args.strip(), name)
    return BuyerSaid(user_id, line, name)


def render(out: Outgoing) -> str:
    """A message as the terminal shows it: a buyer's choices numbered (the buyer types the
    number), a card's buttons as the desk commands that do the same (a typed number there
    would be a reply to the buyer)."""
    if out.kind == "title":  # the ticket's thread renamed: a line, as a chat app would show
        return f"标题改为: {out.text}"
    if out.kind == "topic":  # the ticket's thread closed with it, or reopened
        return "话题已关闭" if out.text == "close" else "话题已重新打开"
    text = out.text + (f" [附件 {out.file_id}]" if out.file_id else "")
    if out.choices and out.audience == "staff":
        text += "\n  " + "  ".join(f"{c.label} {_command(c.data)}" for c in out.choices)
    elif out.choices:
        keys = typed_keys(out.choices)
        text += "\n  " + "  ".join(f"[{n}] {c.label}" for n, c in zip(keys, out.choices,
                                                                        strict=True))
    return text


def _command(data: str) -> str:
    """The desk command a card button stands for."""
    cb = decode(data)
    if isinstance(cb, SetStage):
        return f"/stage {cb.stage}"
    return "/approve" if isinstance(cb, ApproveRefund) else f"/{cb.kind}" if cb else ""


def drain(k: Kefu, audience: str, user_id: int | None, emit: Callable[[str], None]) -> int:
    """Print and mark delivered whatever waits in the outbox for this terminal."""
    shown = 0
    for out in k.store.outbox.pending(audience, user_id):
        emit(render(out))
        k.store.outbox.mark_delivered(out.id, k.now())  # type: ignore[arg-type]
        shown += 1
    return shown


def _clean(line: str) -> str:
    """A line without its newline; bytes that were not UTF-8 (a GBK terminal) become �."""
    # stdin decodes bad bytes to lone surrogates, which SQLite refuses to store.
    return line.rstrip("\n").encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _lines(stream: TextIO) -> Iterator[str | None]:
    """Lines from stdin; None every poll interval so replies can be shown meanwhile."""
    if isinstance(stream, io.TextIOWrapper):  # bad bytes must not end the session
        stream.reconfigure(errors="surrogateescape")
    if not stream.isatty():
        yield from (_clean(line) for line in stream)
        return
    pending: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            pending.put(_clean(line))
        pending.put(None)  # end of input

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            line = pending.get(timeout=POLL_SECONDS)
        except queue.Empty:
            yield None  # nothing typed: let the caller show replies that arrived
            continue
        if line is None:
            return
        yield line


def run_buyer(cfg: Config, user_id: int, name: str, stream: TextIO = sys.stdin,
              emit: Callable[[str], None] = print) -> int:
    """Chat as a buyer until end of input."""
    k = bootstrap(cfg)
    emit(f"kefu console · 买家 {name} (id {user_id}) · 数据库 {cfg.database} · Ctrl-D 退出")
    drain(k, "user", user_id, lambda s: emit(f"客服助手: {s}"))
    for line in _lines(stream):
        if line is not None and line.strip():
            # The same front door as Telegram: stored in the inbox, then handled in turn; a
            # call to the shop is made here with no transaction open.
            door.receive(k, buyer_event(user_id, name, line.strip()), perform)
        drain(k, "user", user_id, lambda s: emit(f"客服助手: {s}"))
    return 0


def run_agent(cfg: Config, name: str, stream: TextIO = sys.stdin,
              emit: Callable[[str], None] = print) -> int:
    """Work the queue as an agent until end of input."""
    k = bootstrap(cfg)
    agent_id = console_agent(k, name)
    emit(f"kefu console · 客服 {name} (id {agent_id}) · /help 查看命令")
    desk = Desk(k, agent_id, emit)
    desk.run("/queue")
    for line in _lines(stream):
        if line is not None and line.strip():
            if line.strip() in ("/quit", "/exit"):
                break
            desk.run(line.strip())
        door.run(k, door.Tick(), perform)  # timers fire here too: a console shop gets warnings
        drain(k, "staff", None, lambda s: emit(f"[工单] {s}"))
    return 0


def console_agent(k: Kefu, name: str) -> int:
    """The agent id for a console name: configured, known, or newly registered on duty."""
    configured = next((a for a in k.config.agents if a.name == name), None)
    rows = list(k.store.db.query("SELECT id FROM agents WHERE name = ?", [name]))
    if configured:
        agent_id = configured.id
    elif rows:
        agent_id = rows[0]["id"]
    else:
        agent_id = CONSOLE_AGENT_IDS + len(list(k.store.db.query("SELECT id FROM agents")))
    role = configured.role if configured else "senior"
    door.run(k, door.StaffSeen(agent_id, name, role, on_duty=True), perform)
    return agent_id


HELP = ("/queue 队列 · /claim T1001 认领 · /show [T1001] 查看 · 直接输入文字 = 回复买家\n"
        "/note 内容 内部备注 · /stage 核实|处理|反馈 · /approve 批准退款 · /resolve 解决 · "
        "/escalate 升级 · "
        "/duty on|off · /notice 渠道 分钟 说明 · /notice_end 渠道 · "
        "/block [用户ID|T1001] 原因 · /unblock 用户ID · /quit")


class Desk:
    """The agent terminal's current ticket and command dispatch."""

    def __init__(self, k: Kefu, agent_id: int, emit: Callable[[str], None]) -> None:
        self.k, self.agent_id, self.emit = k, agent_id, emit
        self.current: int | None = None

    def run(self, line: str) -> None:
        """Execute one typed line: a /command, or a reply to the current ticket."""
        if not line.startswith("/"):
            return self._act("reply", None, line)
        command, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if command == "help":
            return self.emit(HELP)
        if command in GLOBAL_ACTIONS:
            return self._act(command, None, rest)
        if command in ("claim", "show"):
            ref, _, rest = rest.partition(" ")
            return self._act(command, ref, rest)
        if command in ("note", "stage", "resolve", "escalate", "reply"):
            return self._act(command, None, rest)
        if command == "approve":  # the card's 批准退款
            return self._act("approve_refund", None, rest)
        return self.emit(f"未知命令 /{command}。{HELP}")

    def _act(self, action: str, ref: str | None, text: str) -> None:
        ticket_id = self._ticket(ref) if ref else self.current
        if action not in GLOBAL_ACTIONS and ticket_id is None:
            return self.emit("先 /claim T1001 或 /show T1001 选一个工单。")
        act = AgentAct(self.agent_id, action, ticket_id, text)
        result = door.run(self.k, act, perform).staff
        if result is None:
            return self.emit("订单系统没有响应, 操作未完成, 请稍后重试。")
        if result.ok and action in ("claim", "show"):
            self.current = ticket_id
        # Say that plain text now goes to this ticket: a new session starts with none.
        selected = result.ok and action == "claim"
        self.emit(f"{result.note.rstrip('。')}, 已选中" if selected else result.note)
        return None

    def _ticket(self, ref: str) -> int | None:
        number = ref.strip().lstrip("#").upper()
        number = number if number.startswith("T") else f"T{number}"
        ticket = self.k.store.tickets.by_number(number)
        return ticket.id if ticket else None
