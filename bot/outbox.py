"""Queue outgoing messages durably, then hand them to whichever adapter delivers them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.db import Store
from bot.matter_replies import not_again
from bot.records import Choice, Outgoing

# Telegram refuses longer texts and captions (UTF-16 units) for good, and a refused message
# holds back its thread's later ones: "买家补充: " + a 4096-character message was one.
# Buyers' messages are split by the adapter instead (handlers/telegram_texts.py).
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
CUT = "…(内容过长, 已截断)"


def utf16_units(text: str) -> int:
    """Length as Telegram counts it (an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(out: Outgoing) -> Outgoing:
    """A staff message cut to what the messenger accepts (the transcript keeps it whole)."""
    limit = CAPTION_LIMIT if out.file_id and out.kind in ("photo", "document") else TEXT_LIMIT
    if out.audience != "staff" or utf16_units(out.text) <= limit:
        return out
    room = (limit - len(CUT)) * 2
    head = out.text.encode("utf-16-le")[:room].decode("utf-16-le", errors="ignore")
    return replace(out, text=head + CUT)


def deliver(store: Store, outs: list[Outgoing], now: datetime) -> list[Outgoing]:
    """Record each message (outbox + transcript) inside the caller's transaction."""
    queued: list[Outgoing] = []
    last_text: dict[int, str | None] = {}  # per buyer: the last text they got
    shown: dict[int, tuple[Choice, ...]] = {}  # per buyer: the choices now on screen
    for out in map(fit, outs):
        uid = out.user_id if out.audience == "user" else None
        if uid is not None:
            if uid not in last_text:  # one read a buyer per batch; then this batch's own texts
                last_text[uid] = store.messages.last_out(uid)
            if out.text == last_text[uid]:  # never the same text twice in a row
                out = replace(out, text=not_again(out.text))
            last_text[uid], shown[uid] = out.text, out.choices
        out_id = store.outbox.enqueue(out, now)
        if uid is not None:
            store.messages.record(uid, "out", out.sender, out.text, now, out.ticket_id)
        queued.append(replace(out, id=out_id))
    for uid, choices in shown.items():  # what a typed number picks: the latest message's
        store.conversations.show(uid, [{"label": c.label, "data": c.data} for c in choices], now)
    return queued


def to_buyer(user_id: int, text: str, *choices: Choice, ticket_id: int | None = None
             ) -> Outgoing:
    """A message for a buyer."""
    return Outgoing("user", text, user_id=user_id, ticket_id=ticket_id, choices=choices)


def to_staff(ticket_id: int, text: str, kind: str = "text",
             choices: tuple[Choice, ...] = ()) -> Outgoing:
    """A message for the staff thread of a ticket."""
    return Outgoing("staff", text, ticket_id=ticket_id, kind=kind, choices=choices)
