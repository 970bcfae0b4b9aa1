"""Telegram message texts: a turn's queued texts joined into one message, a long text cut
into pieces Telegram accepts (it counts UTF-16 units, not characters)."""

from __future__ import annotations

from dataclasses import replace

from bot.outbox import TEXT_LIMIT, utf16_units
from bot.records import Outgoing

JOIN = "\n\n"  # between texts sent as one message


def coalesce(outs: list[Outgoing]) -> list[list[Outgoing]]:
    """Group a chat's waiting messages into Telegram messages: the texts one turn says to a
    buyer (an answer, then the question that follows it) go as one, so the buyer gets one
    notification and Telegram one request. Buttons only on the last of a group; a group
    stays within one message's length."""
    groups: list[list[Outgoing]] = []
    for out in outs:
        last = groups[-1] if groups else None
        if (last and _joinable(last[-1]) and _joinable(out) and not last[-1].choices
                and out.at is not None and out.at == last[-1].at
                and utf16_units(joined([*last, out]).text) <= TEXT_LIMIT):
            last.append(out)
        else:
            groups.append([out])
    return groups


def _joinable(out: Outgoing) -> bool:
    return out.audience == "user" and out.kind == "text" and not out.file_id


def joined(group: list[Outgoing]) -> Outgoing:
    """One group's messages as one: texts a blank line apart, the last one's buttons."""
    if len(group) == 1:
        return group[0]
    return replace(group[0], text=JOIN.join(out.text for out in group),
                   choices=group[-1].choices)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a long message into sendable pieces, at line breaks where possible. Telegram
    counts UTF-16 units: cut by characters, a message full of emoji was refused for good."""
    pieces = []
    while utf16_units(text) > limit:
        end = _fitting(text, limit)
        cut = text.rfind("\n", 0, end)
        cut = cut if cut > end // 2 else end
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text]


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for n, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return n
    return len(text)
