"""Conversation volume: by day, by intent, how many the bot settled, why people took over."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tools.report.rows import TicketRow
from tools.report.sessions import BOT, FOLLOW_UP, LEFT, TICKET, UNANSWERED, Session
from tools.report.stats import share

TIERS = ("S", "A", "B")
UNKNOWN = "unknown"
Classify = Callable[[str], str]  # a buyer's words -> the intent the bot answered


@dataclass(frozen=True)
class DayVolume:
    """One local day: conversations, how many the bot settled, tickets opened per tier."""

    day: str
    conversations: int
    bot_settled: int
    self_service: float | None
    tickets: dict[str, int] = field(default_factory=dict)
    left: int = 0  # left in intake or unanswered: no ticket, no answer


@dataclass(frozen=True)
class IntentVolume:
    """What buyers asked about: conversations, settled by the bot, tickets opened."""

    intent: str
    label: str
    conversations: int
    bot_settled: int
    tickets: int


@dataclass(frozen=True)
class Volume:
    """Conversation outcomes over the period."""

    conversations: int  # all but follow-ups on older tickets, which are counted apart
    bot_settled: int  # answered, and the buyer neither asked for a person nor was left asking
    with_ticket: int
    left_in_intake: int  # asked for a person but left before a ticket was opened
    unanswered: int  # left after the bot did not understand (fallback) or asked "which one?"
    follow_ups: int
    kefu_handled: int  # tickets kefu handled itself (automatic resend or refund)
    self_service: float | None
    handoffs: dict[str, int]
    by_day: tuple[DayVolume, ...]
    by_intent: tuple[IntentVolume, ...]


def volume(sessions: Sequence[Session], tickets: Sequence[TicketRow],
           opened_tier: Mapping[int, str], tz: ZoneInfo, labels: Mapping[str, str],
           classify: Classify | None = None) -> Volume:
    """Count the period's conversations and tickets."""
    counted = [s for s in sessions if s.outcome != FOLLOW_UP]
    outcomes = Counter(s.outcome for s in counted)
    handoffs = Counter(r for s in sessions for r in s.reasons)
    return Volume(
        len(counted), outcomes[BOT], outcomes[TICKET], outcomes[LEFT], outcomes[UNANSWERED],
        sum(1 for s in sessions if s.outcome == FOLLOW_UP),
        sum(1 for t in tickets if t.handled_by_kefu),
        share(outcomes[BOT], len(counted)), dict(handoffs.most_common()),
        by_day(counted, tickets, opened_tier, tz),
        by_intent(counted, {t.id: t for t in tickets}, labels, classify))


def local_day(t: datetime, tz: ZoneInfo) -> date:
    """The shop's calendar day of a time."""
    return t.astimezone(tz).date()


def by_day(sessions: Sequence[Session], tickets: Sequence[TicketRow],
           opened_tier: Mapping[int, str], tz: ZoneInfo) -> tuple[DayVolume, ...]:
    """One row per day from the first to the last day with data (quiet days included)."""
    convs: dict[date, list[Session]] = defaultdict(list)
    for s in sessions:
        convs[local_day(s.start, tz)].append(s)
    opened: dict[date, Counter[str]] = defaultdict(Counter)
    for t in (t for t in tickets if not t.handled_by_kefu):  # those count as bot-settled
        opened[local_day(t.created_at, tz)][opened_tier.get(t.id, t.tier)] += 1
    days = sorted({*convs, *opened})
    if not days:
        return ()
    out, d = [], days[0]
    while d <= days[-1]:
        bot = sum(1 for s in convs[d] if s.outcome == BOT)
        left = sum(1 for s in convs[d] if s.outcome in (LEFT, UNANSWERED))
        out.append(DayVolume(d.isoformat(), len(convs[d]), bot, share(bot, len(convs[d])),
                             {tier: opened[d][tier] for tier in TIERS}, left))
        d = date.fromordinal(d.toordinal() + 1)
    return tuple(out)


def session_intent(s: Session, tickets: Mapping[int, TicketRow],
                   classify: Classify | None) -> str:
    """What a conversation was about: its ticket's intent, the buyer's pick, or the words."""
    if s.tickets and s.tickets[0] in tickets:
        return tickets[s.tickets[0]].intent
    if s.picked:
        return s.picked
    if s.fell_back and not s.answered:
        return "none"
    return classify(s.answered) if classify and s.answered else UNKNOWN


def by_intent(sessions: Sequence[Session], tickets: Mapping[int, TicketRow],
              labels: Mapping[str, str], classify: Classify | None) -> tuple[IntentVolume, ...]:
    """Intents by number of conversations, most asked first."""
    convs: Counter[str] = Counter()
    bot: Counter[str] = Counter()
    for s in sessions:
        intent = session_intent(s, tickets, classify)
        convs[intent] += 1
        bot[intent] += s.outcome == BOT
    made = Counter(tickets[i].intent for s in sessions for i in s.tickets if i in tickets)
    names = sorted({*convs, *made}, key=lambda i: (-convs[i], -made[i], i))
    return tuple(IntentVolume(i, labels.get(i, i), convs[i], bot[i], made[i]) for i in names)
