"""The staff group's budget (Telegram: about 20 messages a minute per group, edits and
renames included): what waits for one ticket's thread is collapsed before it is sent.

Pure decisions; handlers/telegram_outbox.py applies them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.records import Outgoing

# What a later message of the same kind makes pointless: a card edit (the latest card has
# everything), a topic title, the topic's closing or reopening.
REPLACEABLE = ("card", "title", "topic")
HOLD = timedelta(seconds=2.5)  # card edits this close together become one edit
MAX_HOLD = timedelta(seconds=6)  # a ticket changing all the time still shows within this


def collapse(outs: list[Outgoing]) -> list[list[Outgoing]]:
    """One thread's waiting messages as sends: each group's last message is sent, the ones
    before it were overtaken by it (noted as delivered with it). A replaceable kind goes
    where its first message was: a new thread's card still comes before what follows it."""
    same: dict[str, list[Outgoing]] = {}
    for out in outs:
        if out.kind in REPLACEABLE:
            same.setdefault(out.kind, []).append(out)
    groups: list[list[Outgoing]] = []
    for out in outs:
        if out.kind not in REPLACEABLE:
            groups.append([out])
        elif same[out.kind][0] is out:
            groups.append(same[out.kind])
    return groups


def hold_for(outs: list[Outgoing], has_card: bool, now: datetime) -> float:
    """Seconds to wait before sending so that edits close together go as one (0: send now).

    Only edits wait: a new thread's card, a buyer's message or a notice go at once."""
    if not outs or not has_card or any(o.kind not in REPLACEABLE for o in outs):
        return 0.0
    times = [o.at for o in outs if o.at is not None]
    if not times:
        return 0.0
    until = min(max(times) + HOLD, min(times) + MAX_HOLD)
    return max((until - now).total_seconds(), 0.0)
