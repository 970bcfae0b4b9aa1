"""Run a scripted dialogue (tests/dialogues/*.yaml) through kefu's front door.

A dialogue is data: buyers' lines, button presses, commands, agents' actions, waits and
timer ticks, each optionally with `expect:` properties of what that turn produced. The
runner builds a kefu on a temp SQLite file with the shipped FAQ and a FakeClock, plays the
turns through `door` exactly as the Telegram adapter does, reads what each turn queued
from the outbox, and checks the expectations (tests/dialogue_checks.py) plus invariants
every buyer is owed. See tests/dialogues/README.md for the format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot import door
from bot.config import load_config
from bot.events import AgentAct, ButtonPressed, BuyerCommand, BuyerSaid
from bot.kefu import Kefu, bootstrap
from bot.orders.calls import perform
from bot.staff import StaffResult
from handlers.console import Desk, console_agent
from intents.match import Matcher
from tests.dialogue_checks import check_expect, check_invariants
from tests.fixtures_core import FakeClock
from tests.fixtures_orders import add_order

SHIPPED_FAQ = Path(__file__).resolve().parent.parent / "faq.yaml"
AGENTS = [{"id": 501, "name": "小王", "role": "senior"},
          {"id": 502, "name": "小李", "role": "junior"},
          {"id": 503, "name": "老张", "role": "supervisor"}]
DEFAULT_BUYERS = {"me": 42, "other": 43}
KINDS = ("buyer", "photo", "press", "forge", "command", "agent", "desk", "wait", "tick")


class DialogueError(AssertionError):
    """A dialogue failed: an expectation, an invariant, or the script itself."""


@dataclass
class Sent:
    """One queued message as the outbox holds it."""

    audience: str
    user_id: int | None
    text: str
    labels: list[str]
    datas: list[str]


@dataclass
class TurnResult:
    """What one turn produced: every queued message, and for agent turns the StaffResult."""

    index: int
    turn: dict[str, Any]
    buyer: str
    sent: list[Sent]
    staff: StaffResult | None = None
    first_message_id: int = 0  # transcript ids above this one belong to this turn

    def to_buyer(self, user_id: int) -> list[Sent]:
        """Messages of this turn for one buyer's chat."""
        return [s for s in self.sent if s.audience == "user" and s.user_id == user_id]

    def staff_texts(self) -> list[str]:
        """Staff-audience texts of this turn, cards included, and on an agent turn what the
        agent was told (the card itself for `show`)."""
        told = [self.staff.note] if self.staff is not None else []
        return [s.text for s in self.sent if s.audience == "staff"] + told


@dataclass
class Play:
    """A dialogue in progress: the kefu, the clock, the buyers and what each has seen."""

    k: Kefu
    clock: FakeClock
    buyers: dict[str, int]
    names: dict[str, str]
    source: str
    results: list[TurnResult] = field(default_factory=list)
    last_text: dict[int, str] = field(default_factory=dict)  # per buyer: last text received
    screen: dict[int, Sent] = field(default_factory=dict)  # per buyer: last reply with choices
    desks: dict[str, Desk] = field(default_factory=dict)  # per agent: a console session

    def uid(self, name: str) -> int:
        """A buyer's Telegram id by the dialogue's name for them."""
        if name not in self.buyers:
            raise DialogueError(f"{self.source}: unknown buyer {name!r}; known: {self.buyers}")
        return self.buyers[name]


def load(path: Path) -> dict[str, Any]:
    """Read one dialogue file; it must hold a mapping with a `turns:` list."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not isinstance(spec.get("turns"), list):
        raise DialogueError(f"{path.name}: expected a mapping with a `turns:` list")
    return spec


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def build_kefu(spec: dict[str, Any], tmp_path: Path, matcher: Matcher,
               clock: FakeClock) -> Kefu:
    """Write kefu.yaml (temp database, shipped FAQ, three agents, the dialogue's `orders:`
    backend and `config:` overrides) and bootstrap a kefu on it."""
    orders = {k: v for k, v in (spec.get("orders") or {}).items() if k != "rows"}
    cfg: dict[str, Any] = {"database": str(tmp_path / "kefu.db"), "faq": str(SHIPPED_FAQ),
                           "agents": AGENTS, "orders": orders or {"backend": "none"}}
    _merge(cfg, spec.get("config") or {})
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "kefu.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return bootstrap(load_config(path, env={}), clock, matcher)


def _buyers(spec: dict[str, Any]) -> tuple[dict[str, int], dict[str, str]]:
    ids, names = dict(DEFAULT_BUYERS), {}
    for name, value in (spec.get("buyers") or {}).items():
        if isinstance(value, dict):
            ids[name] = int(value["id"])
            if "name" in value:
                names[name] = str(value["name"])
        else:
            ids[name] = int(value)
    return ids, names


def _seed_orders(play: Play, spec: dict[str, Any]) -> None:
    orders = spec.get("orders") or {}
    for row in orders.get("rows", []) if isinstance(orders, dict) else []:
        row = dict(row)
        owner = str(row.pop("buyer", "me"))
        buyer = str(play.buyers[owner]) if owner in play.buyers else owner
        add_order(play.k, str(row.pop("order_no")), buyer=buyer, **row)


def _outbox_max(k: Kefu) -> int:
    return int(k.store.db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0])


def _messages_max(k: Kefu) -> int:
    return int(k.store.db.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])


def _sent_since(k: Kefu, after: int) -> list[Sent]:
    rows = k.store.db.execute("SELECT audience, user_id, text, choices FROM outbox "
                              "WHERE id > ? ORDER BY id", [after]).fetchall()
    out = []
    for audience, user_id, text, choices in rows:
        cs = json.loads(choices or "[]")
        out.append(Sent(audience, user_id, text or "", [c["label"] for c in cs],
                        [c["data"] for c in cs]))
    return out


def ticket_id_of(play: Play, ref: Any, buyer: int) -> int | None:
    """T1001 by number, `latest` = newest ticket, `mine` = the acting buyer's newest."""
    ref = str(ref)
    if ref == "latest":
        row = play.k.store.db.execute("SELECT max(id) FROM tickets").fetchone()
        return row[0]
    if ref == "mine":
        mine = play.k.store.tickets.latest_of(buyer, 1)
        return mine[0].id if mine else None
    ticket = play.k.store.tickets.by_number(ref)
    return ticket.id if ticket else None


def _act(play: Play, turn: dict[str, Any], who: str, uid: int) -> StaffResult | None:
    """Perform one turn's action; the acting buyer is `uid`."""
    k, name = play.k, play.names.get(who, "小张")
    if "buyer" in turn:
        door.receive(k, BuyerSaid(uid, str(turn["buyer"]), name), perform)
    elif "photo" in turn:
        file_id = f"photo-{len(play.results)}"
        door.receive(k, BuyerSaid(uid, str(turn["photo"] or ""), name, "photo", file_id),
                     perform)
    elif "press" in turn:
        door.receive(k, ButtonPressed(uid, _button(play, uid, str(turn["press"])), name),
                     perform)
    elif "forge" in turn:
        door.receive(k, ButtonPressed(uid, str(turn["forge"]), name), perform)
    elif "command" in turn:
        command, _, args = str(turn["command"]).lstrip("/").partition(" ")
        door.receive(k, BuyerCommand(uid, command, args.strip(), name), perform)
    elif "agent" in turn:
        a = turn["agent"]
        agent_id = next((x["id"] for x in AGENTS if x["name"] == a.get("who", "小王")), 0)
        ticket = ticket_id_of(play, a["ticket"], uid) if "ticket" in a else None
        act = AgentAct(agent_id, str(a["do"]), ticket, str(a.get("text", "")))
        return door.run(k, act, perform).staff
    elif "desk" in turn:
        return _desk(play, turn["desk"])
    elif "wait" in turn:
        play.clock.advance(minutes=float(turn["wait"]))
    elif "tick" in turn:
        door.run(k, door.Tick(), perform)
    else:
        raise DialogueError(f"{play.source}: turn {len(play.results)} has none of {KINDS}: "
                            f"{turn}")
    return None


def _desk(play: Play, spec: dict[str, Any]) -> StaffResult:
    """One line typed at an agent's console (`kefu console --agent NAME`); `new: true` starts
    a new session, as after a restart. What the desk printed is the turn's staff reply."""
    who = str(spec.get("who", "小王"))
    said: list[str] = []
    if spec.get("new") or who not in play.desks:
        play.desks[who] = Desk(play.k, console_agent(play.k, who), said.append)
    desk = play.desks[who]
    desk.emit = said.append
    desk.run(str(spec["line"]))
    return StaffResult(True, "\n".join(said))


def _button(play: Play, uid: int, label: str) -> str:
    shown = play.screen.get(uid)
    labels = shown.labels if shown else []
    pairs = list(zip(labels, shown.datas if shown else [], strict=True))
    for lab, data in sorted(pairs, key=lambda pair: pair[0] != label):  # exact label first
        if label in lab:
            return data
    raise DialogueError(f"{play.source}: turn {len(play.results)}: no button like {label!r} "
                        f"on screen; the last choices were {labels}")


def play_turn(play: Play, turn: dict[str, Any]) -> TurnResult:
    """Play one turn, record what it queued, then check invariants and `expect:`."""
    who = str(turn.get("as", "me"))
    uid = play.uid(who)
    before, msg_before = _outbox_max(play.k), _messages_max(play.k)
    staff = _act(play, turn, who, uid)
    result = TurnResult(len(play.results), turn, who, _sent_since(play.k, before), staff,
                        msg_before)
    play.results.append(result)
    problems = check_invariants(play, result)
    for sent in result.sent:
        if sent.audience == "user" and sent.user_id is not None and sent.labels:
            play.screen[sent.user_id] = sent
    problems += check_expect(play, result, turn.get("expect") or {})
    if problems:
        raise DialogueError(describe(play, result, problems))
    return result


def describe(play: Play, result: TurnResult, problems: list[str]) -> str:
    """A readable failure: file, turn index, the turn, and what the buyers read."""
    shown = {k: v for k, v in result.turn.items() if k != "expect"}
    lines = [f"dialogue {play.source}, turn {result.index}: {shown}"]
    lines += [f"  ✗ {p}" for p in problems]
    for name, uid in play.buyers.items():
        for s in result.to_buyer(uid):
            extra = f"  [{' | '.join(s.labels)}]" if s.labels else ""
            lines.append(f"  → {name}: {s.text}{extra}")
    if result.staff is not None:
        lines.append(f"  staff result: ok={result.staff.ok} {result.staff.note!r}")
    return "\n".join(lines)


def run_dialogue(spec: dict[str, Any], source: str, tmp_path: Path,
                 matcher: Matcher) -> Play:
    """Play every turn of a dialogue; raises DialogueError at the first failing turn."""
    clock = FakeClock()
    buyers, names = _buyers(spec)
    k = build_kefu(spec, tmp_path, matcher, clock)
    play = Play(k, clock, buyers, names, source)
    _seed_orders(play, spec)
    for turn in spec["turns"]:
        if not isinstance(turn, dict):
            raise DialogueError(f"{source}: turn {len(play.results)} is not a mapping: {turn!r}")
        play_turn(play, turn)
    return play
