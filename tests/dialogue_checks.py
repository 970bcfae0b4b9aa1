"""The checks of a dialogue turn: the `expect:` kinds, and the invariants checked on every turn.

Each check returns a list of problems (readable sentences); empty means it held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.records import FINAL_STAGES, Ticket

if TYPE_CHECKING:
    from tests.dialogue_runner import Play, TurnResult

CLOCK = re.compile(r"\d{1,2}:\d{2}")
# same_as_turn: what may differ between two replies that must otherwise be the same.
_ORDER = re.compile(r"[A-Za-z]{0,4}\d{12,24}")
_TICKET = re.compile(r"T\d{4,}")


def check_invariants(play: Play, result: TurnResult) -> list[str]:
    """What every buyer is owed on every turn: no text twice in a row, no empty or error
    text, and a clock time whenever a new ticket is announced."""
    problems = []
    for s in result.sent:
        if s.audience != "user" or s.user_id is None:
            continue
        if not s.text.strip():
            problems.append(f"buyer {s.user_id} got an empty text")
        if "Traceback" in s.text or "Error" in s.text:
            problems.append(f"buyer {s.user_id} got an error text: {s.text!r}")
        if "已受理" in s.text and "工单 #T" in s.text and not CLOCK.search(s.text):
            problems.append(f"a new ticket was announced without a clock time: {s.text!r}")
        if play.last_text.get(s.user_id) == s.text:
            problems.append(f"buyer {s.user_id} got the same text twice in a row: {s.text!r}")
        play.last_text[s.user_id] = s.text
    return problems


def _said(play: Play, r: TurnResult) -> str:
    return "\n".join(s.text for s in r.to_buyer(play.uid(r.buyer)))


def _texts(r: TurnResult, user_id: int) -> list[str]:
    return [s.text for s in r.to_buyer(user_id)]


def _last_choices(play: Play, r: TurnResult) -> list[str]:
    shown = [s for s in r.to_buyer(play.uid(r.buyer)) if s.labels]
    return shown[-1].labels if shown else []


def _tickets(play: Play, r: TurnResult) -> list[Ticket]:
    return play.k.store.tickets.latest_of(play.uid(r.buyer), 1000)


def _the_ticket(play: Play, r: TurnResult, expect: dict[str, Any]) -> Ticket | None:
    if "ticket_ref" in expect:
        return play.k.store.tickets.by_number(str(expect["ticket_ref"]))
    mine = _tickets(play, r)
    return mine[0] if mine else None


def _same(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        try:
            return actual is not None and float(actual) == float(wanted)
        except (TypeError, ValueError):
            return False
    return actual == wanted


def _fields(label: str, source: dict[str, Any] | None, wanted: dict[str, Any]) -> list[str]:
    if source is None:
        return [f"{label}: this buyer has no ticket"]
    return [f"{label}.{key}: expected {value!r}, got {source.get(key)!r}"
            for key, value in wanted.items() if not _same(source.get(key), value)]


def _turn_intent(play: Play, r: TurnResult) -> str | None:
    """The intent recorded on this turn's inbound messages (the last one with an intent),
    else the intent of this buyer's newest ticket."""
    row = play.k.store.db.execute(
        "SELECT intent FROM messages WHERE user_id = ? AND direction = 'in' AND id > ? "
        "AND intent IS NOT NULL ORDER BY id DESC LIMIT 1",
        [play.uid(r.buyer), r.first_message_id]).fetchone()
    if row:
        return str(row[0])
    mine = _tickets(play, r)
    return mine[0].intent if mine else None


def normalise(text: str) -> str:
    """A reply with order numbers, ticket numbers and clock times replaced by placeholders."""
    return CLOCK.sub("<HH:MM>", _TICKET.sub("<T>", _ORDER.sub("<ORDER>", text)))


def _count_events(play: Play, name: str) -> int:
    return int(play.k.store.db.execute("SELECT count(*) FROM ticket_events WHERE event = ?",
                                       [name]).fetchone()[0])


def _missing(haystack: str, needles: Any, label: str) -> list[str]:
    return [f"{label}: expected {n!r}" for n in _list(needles) if str(n) not in haystack]


def _present(haystack: str, needles: Any, label: str) -> list[str]:
    return [f"{label}: did not expect {n!r}" for n in _list(needles) if str(n) in haystack]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _staff_text(r: TurnResult) -> str:
    return "\n".join(r.staff_texts())


Check = Callable[["Play", "TurnResult", Any, dict[str, Any]], list[str]]
CHECKS: dict[str, Check] = {
    "says": lambda p, r, v, e: _missing(_said(p, r), v, "says"),
    "not_says": lambda p, r, v, e: _present(_said(p, r), v, "not_says"),
    "matches": lambda p, r, v, e: [f"matches: no match for /{n}/" for n in _list(v)
                                   if not re.search(str(n), _said(p, r), re.M)],
    "choices": lambda p, r, v, e: [
        f"choices: no button like {n!r} (last choices: {_last_choices(p, r)})"
        for n in _list(v) if not any(str(n) in lab for lab in _last_choices(p, r))],
    "no_choices_like": lambda p, r, v, e: [
        f"no_choices_like: a button like {n!r} was offered"
        for n in _list(v) for s in r.to_buyer(p.uid(r.buyer)) if any(str(n) in lab
                                                                    for lab in s.labels)],
    "clock_time": lambda p, r, v, e: ([] if bool(CLOCK.search(_said(p, r))) == bool(v)
                                      else [f"clock_time: expected {v}"]),
    "tickets": lambda p, r, v, e: ([] if len(_tickets(p, r)) == v else
                                   [f"tickets: expected {v}, got {len(_tickets(p, r))}"]),
    "open_tickets": lambda p, r, v, e: (
        [] if (n := sum(t.stage not in FINAL_STAGES for t in _tickets(p, r))) == v
        else [f"open_tickets: expected {v}, got {n}"]),
    "ticket": lambda p, r, v, e: _fields(
        "ticket", (t := _the_ticket(p, r, e)) and t.__dict__, v),
    "ticket_ref": lambda p, r, v, e: [],  # chooses the ticket for `ticket:`/`ticket_details:`
    "ticket_details": lambda p, r, v, e: _fields(
        "ticket_details", (t := _the_ticket(p, r, e)) and t.details, v),
    "intent": lambda p, r, v, e: ([] if (i := _turn_intent(p, r)) == v
                                  else [f"intent: expected {v!r}, got {i!r}"]),
    "staff_says": lambda p, r, v, e: _missing(_staff_text(r), v, "staff_says"),
    "staff_not_says": lambda p, r, v, e: _present(_staff_text(r), v, "staff_not_says"),
    "staff_matches": lambda p, r, v, e: [
        f"staff_matches: no staff text matches /{n}/" for n in _list(v)
        if not any(re.search(str(n), t, re.M) for t in r.staff_texts())],
    "staff_not_matches": lambda p, r, v, e: [
        f"staff_not_matches: a staff text matches /{n}/" for n in _list(v)
        if any(re.search(str(n), t, re.M) for t in r.staff_texts())],
    "events": lambda p, r, v, e: [
        f"events.{name}: expected {n}, got {_count_events(p, name)}"
        for name, n in v.items() if _count_events(p, name) != n],
    "staff_ok": lambda p, r, v, e: (
        ["staff_ok: not an agent turn"] if r.staff is None else
        [] if r.staff.ok == v else [f"staff_ok: expected {v}, got {r.staff.ok} "
                                    f"({r.staff.note!r})"]),
    "staff_reply": lambda p, r, v, e: (
        ["staff_reply: not an agent turn"] if r.staff is None
        else _missing(r.staff.note, v, "staff_reply")),
    "no_reply": lambda p, r, v, e: ([] if (not _said(p, r)) == bool(v)
                                    else [f"no_reply: expected {v}"]),
    "no_reply_to": lambda p, r, v, e: [f"no_reply_to: buyer {n!r} got {_texts(r, p.uid(n))!r}"
                                       for n in _list(v) if _texts(r, p.uid(n))],
    "same_as_turn": lambda p, r, v, e: _same_as(p, r, int(v)),
}


def _same_as(play: Play, r: TurnResult, index: int) -> list[str]:
    if not 0 <= index < r.index:
        return [f"same_as_turn: {index} is not an earlier turn"]
    earlier = play.results[index]
    mine, theirs = normalise(_said(play, r)), normalise(_said(play, earlier))
    if mine == theirs:
        return []
    return [f"same_as_turn: differs from turn {index} (numbers and times masked):\n"
            f"      this turn: {mine!r}\n      turn {index}: {theirs!r}"]


def check_expect(play: Play, result: TurnResult, expect: dict[str, Any]) -> list[str]:
    """Every `expect:` property of this turn that does not hold; unknown kinds are errors."""
    problems: list[str] = []
    for key, value in expect.items():
        check = CHECKS.get(key)
        if check is None:
            problems.append(f"unknown expectation {key!r}; known: {', '.join(CHECKS)}")
        else:
            problems += check(play, result, value, expect)
    return problems

