"""A buyer writes while their ticket is open: it joins the ticket, details it lacked are
filled in, and a "还没好吗" counts as a chase (bot/chase.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import chase, plain, replies
from bot.kefu import Kefu
from bot.orders import proof
from bot.outbox import to_buyer, to_staff
from bot.records import Outgoing, Ticket
from bot.tickets import evidence_to_staff


def join(k: Kefu, t: Ticket, text: str, kind: str, now: datetime,
         details: dict[str, Any], file_id: str | None = None) -> list[Outgoing]:
    """A buyer wrote while their ticket is open: add it and keep both sides informed."""
    filled = _fill_missing(k, t, details, now)
    note = f"\n(已自动补充: {', '.join(filled)})" if filled else ""
    if kind == "text":
        outs = [to_staff(t.id, f"买家补充: {plain.one_line(text)}{note}")]
        if "order_no" in filled:  # a number given later is proven like the first message's
            outs += proof.recheck(k, t, details["order_no"], now)
        if chase.is_chase(text):
            outs += chase.record_chase(k, t, now)
    else:
        outs = [evidence_to_staff(t.id, {"kind": kind, "file_id": file_id, "caption": text})]
    if t.owner != "agent":
        # A person owns the ticket once claimed: from then on the bot stays quiet.
        outs.append(to_buyer(t.user_id, replies.joined(t, now), replies.STATUS, ticket_id=t.id))
    return outs


def _fill_missing(k: Kefu, t: Ticket, details: dict[str, Any], now: datetime) -> list[str]:
    fields = {f: details[f] for f in ("order_no", "amount", "demand")
              if details.get(f) is not None and getattr(t, f) is None}
    if fields:
        k.store.tickets.update(t.id, now, **fields)
        k.store.ticket_events.add(t.id, "buyer", "details_added", now, **fields)
    return list(fields)
