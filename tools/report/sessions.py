"""Buyer conversations rebuilt from the transcript: how each ended, and why people took over.

A conversation is a buyer's run of messages with no silence of SESSION_GAP or more. What
the bot decided on a message is recorded on it (messages.decision). Rows older than that
column are read from the buttons the reply offered in the same turn (a turn's messages and
replies share one timestamp): Pick choices mean it asked which intent was meant (clarify); a
lone 转人工 button means it did not understand (fallback). The intents a clarify offered
always come from its Pick buttons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.callbacks import (
    Callback,
    Cancel,
    Demand,
    Feedback,
    Human,
    Issue,
    NoOrder,
    Pick,
    Rate,
    Reopen,
    decode,
)
from tools.report.rows import MessageRow, OfferRow, TicketRow

SESSION_GAP = timedelta(minutes=30)
BOT, TICKET, LEFT, FOLLOW_UP = "bot", "ticket", "left", "follow_up"
UNANSWERED = "unanswered"  # the last thing the bot said was "which one?" or "I don't know"
CLARIFY, FALLBACK, OTHER = "clarify", "fallback", "other"
TICKET_INTENT, UNSOLVED, NOT_UNDERSTOOD, HUMAN = "ticket_intent", "unsolved", "fallback", "human"
# Buttons and commands that ask for a person, and choices that only an intake question offers.
_UNSOLVED_BUTTON, _HUMAN_BUTTON, _HUMAN_COMMAND = Feedback("no"), Human(), "/human"
_AFTERCARE = (Rate, Reopen)  # buttons about a resolved ticket: a follow-up
_INTAKE_CHOICES = (Demand, Issue, NoOrder, Cancel)  # each intake question offers one
_RECORDED = {"clarify": CLARIFY, "fallback": FALLBACK}  # messages.decision; answer is OTHER


@dataclass(frozen=True)
class Turn:
    """A buyer's text message and what the bot decided about it."""

    user_id: int
    at: datetime
    text: str
    decision: str  # clarify | fallback | other
    offered: tuple[str, ...] = ()  # intents a clarify offered


@dataclass(frozen=True)
class Session:
    """One conversation: who, when, how it ended, and what it was about."""

    user_id: int
    start: datetime
    end: datetime
    outcome: str  # bot | ticket | left | unanswered | follow_up
    tickets: tuple[int, ...] = ()  # opened in this conversation
    reasons: tuple[str, ...] = ()  # why each of those tickets was opened
    answered: str = ""  # the buyer's first words the bot understood (for its intent)
    picked: str | None = None  # the intent a buyer chose from a clarify
    fell_back: bool = False


def decide_turns(messages: Iterable[MessageRow], offers: Iterable[OfferRow]) -> list[Turn]:
    """Every buyer text message with the decision its turn's reply shows."""
    offered: dict[tuple[int, datetime], list[tuple[str, ...]]] = defaultdict(list)
    for o in offers:
        offered[(o.user_id, o.at)].append(o.choices)
    return [_turn(m, offered.get((m.user_id, m.at), [])) for m in messages
            if m.direction == "in" and m.kind == "text"]


def _turn(m: MessageRow, replies: list[tuple[str, ...]]) -> Turn:
    picks = tuple(cb.intent for r in replies for c in r if isinstance(cb := decode(c), Pick))
    if m.decision is not None:
        decision = _RECORDED.get(m.decision, OTHER)
        return Turn(m.user_id, m.at, m.text, decision, picks if decision == CLARIFY else ())
    if picks:
        return Turn(m.user_id, m.at, m.text, CLARIFY, picks)
    fell_back = any(len(r) == 1 and decode(r[0]) == _HUMAN_BUTTON for r in replies)
    return Turn(m.user_id, m.at, m.text, FALLBACK if fell_back else OTHER)


def build_sessions(messages: Iterable[MessageRow], offers: Iterable[OfferRow],
                   tickets: Iterable[TicketRow], opened_at: Mapping[int, datetime]
                   ) -> list[Session]:
    """Split each buyer's messages into conversations and classify how each ended.

    opened_at: when each ticket a message refers to was opened (a new ticket also claims
    the buyer's earlier unticketed messages, so only an older ticket makes a follow-up)."""
    turns = {(t.user_id, t.at): t for t in decide_turns(messages, offers)}
    offered: dict[tuple[int, datetime], tuple[str, ...]] = defaultdict(tuple)
    for o in offers:
        offered[(o.user_id, o.at)] += o.choices
    opened: dict[int, list[TicketRow]] = defaultdict(list)
    for t in tickets:
        opened[t.user_id].append(t)
    sessions = []
    for run in _runs(messages):
        sessions.append(_session(run, turns, offered, opened[run[0].user_id], opened_at))
    return sorted(sessions, key=lambda s: (s.start, s.user_id))


def _runs(messages: Iterable[MessageRow]) -> list[list[MessageRow]]:
    """Each buyer's messages cut at every silence of SESSION_GAP (only runs the buyer began)."""
    by_user: dict[int, list[MessageRow]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: m.id):
        by_user[m.user_id].append(m)
    runs: list[list[MessageRow]] = []
    for msgs in by_user.values():
        current: list[MessageRow] = []
        for m in msgs:
            if current and m.at - current[-1].at >= SESSION_GAP:
                runs.append(current)
                current = []
            current.append(m)
        runs.append(current)
    return [r for r in runs if any(m.direction == "in" for m in r)]


def _session(run: list[MessageRow], turns: dict[tuple[int, datetime], Turn],
             offered: dict[tuple[int, datetime], tuple[str, ...]],
             user_tickets: list[TicketRow], opened_at: Mapping[int, datetime]) -> Session:
    start, end, uid = run[0].at, run[-1].at, run[0].user_id
    inbound = [m for m in run if m.direction == "in"]
    made = [t for t in user_tickets if start <= t.created_at <= end]
    texts = [m.text for m in inbound if m.kind == "text"
             and (uid, m.at) in turns and turns[(uid, m.at)].decision == OTHER]
    picks = [cb.intent for m in inbound if isinstance(cb := _pressed(m), Pick)]
    fell_back = any(turns[(uid, m.at)].decision == FALLBACK for m in inbound
                    if m.kind == "text" and (uid, m.at) in turns)
    older = any((m.ticket_id is not None and opened_at.get(m.ticket_id, start) < start)
                or isinstance(_pressed(m), _AFTERCARE) for m in inbound)
    people = [t for t in made if not t.handled_by_kefu]
    return Session(uid, start, end, _outcome(run, made, people, offered, older, turns),
                   tuple(t.id for t in made), handoff_reasons(run, people, turns),
                   texts[0] if texts else "", picks[-1] if picks else None, fell_back)


def _outcome(run: list[MessageRow], made: list[TicketRow], people: list[TicketRow],
             offered: dict[tuple[int, datetime], tuple[str, ...]], older: bool,
             turns: dict[tuple[int, datetime], Turn]) -> str:
    if people:
        return TICKET
    if made:
        return BOT  # kefu did what was asked itself and kept a ticket as the record
    if older:
        return FOLLOW_UP  # about a ticket opened earlier: status, chasing, a rating
    inbound = [m for m in run if m.direction == "in"]
    asked = any(_is_handoff(m) for m in inbound) or any(
        isinstance(decode(c), _INTAKE_CHOICES) for m in run
        for c in offered.get((m.user_id, m.at), ()))
    if asked:
        return LEFT
    last = turns.get((inbound[-1].user_id, inbound[-1].at)) if inbound[-1].kind == "text" \
        else None
    return UNANSWERED if last and last.decision in (CLARIFY, FALLBACK) else BOT


def _pressed(m: MessageRow) -> Callback | None:
    """The button a buyer pressed; None for texts, commands and junk data."""
    return decode(m.text) if m.kind == "button" else None


def _is_handoff(m: MessageRow) -> bool:
    return _pressed(m) in (_UNSOLVED_BUTTON, _HUMAN_BUTTON) or (
        m.kind == "command" and m.text.startswith(_HUMAN_COMMAND))


def handoff_reasons(run: list[MessageRow], made: list[TicketRow],
                    turns: dict[tuple[int, datetime], Turn]) -> tuple[str, ...]:
    """Why each ticket of a conversation was opened: its intent needs a person, 没解决,
    the bot did not understand, or the buyer asked for a person (转人工)."""
    reasons, after = [], run[0].at
    for t in sorted(made, key=lambda t: t.created_at):
        window = [m for m in run if m.direction == "in" and after <= m.at <= t.created_at]
        reasons.append(_reason(t, window, turns))
        after = t.created_at
    return tuple(reasons)


def _reason(t: TicketRow, inbound: list[MessageRow],
            turns: dict[tuple[int, datetime], Turn]) -> str:
    for i in range(len(inbound) - 1, -1, -1):
        m = inbound[i]
        if _pressed(m) == _UNSOLVED_BUTTON:
            return UNSOLVED
        if _pressed(m) == _HUMAN_BUTTON:
            said = [turns[(m.user_id, x.at)] for x in inbound[:i] if (m.user_id, x.at) in turns]
            confused = bool(said) and said[-1].decision in (CLARIFY, FALLBACK)
            return NOT_UNDERSTOOD if confused else HUMAN
        if m.kind == "command" and m.text.startswith(_HUMAN_COMMAND):
            return HUMAN
    return HUMAN if t.intent == "contact_human" else TICKET_INTENT
