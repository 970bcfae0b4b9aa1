"""The buyer's answer while kefu asks them to prove an order theirs (bot/orders/ownership.py).

A match is remembered and intake goes on with the order looked up as the buyer's own; a
corrected order number starts the check afresh; the third miss hands over to a person
with everything collected and a note, and the buyer learns nothing about the order.
"""

from __future__ import annotations

from datetime import datetime

from bot import flow
from bot.kefu import Kefu
from bot.orders import BackendError, Order, calls
from bot.orders import ownership as own
from bot.orders.ticketing import facts, noted
from bot.outbox import to_buyer
from bot.records import Conversation, Turn
from intents import typed
from intents.extract import extract_order_no

_FORGET = ("proving", "order_checked", "order", "asking")


def giving_up(text: str) -> bool:
    """算了 or 转人工 while asked for a proof: the buyer's words for that, not a proof."""
    return typed.cancel(text) or typed.action(text) in ("human", "status")


def answer(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn:
    """Check the typed contact, email or lookup password against the shop's order."""
    uid, intent = conv.user_id, k.intent(conv.intent)
    order_no = str(conv.details["proving"]["order_no"])
    other = extract_order_no(text[:2000], k.config.order_pattern)
    if other and other != order_no:  # a corrected number: look that one up instead
        return flow.advance(k, _intake(conv, order_no=other), intent, now)
    if conv.details["proving"].get("needs"):  # the shop checks the proof itself
        return _by_the_shop(k, conv, order_no, text, now)
    try:
        order = calls.lookup(k, order_no)
    except BackendError:
        order = None  # the shop cannot say now: the check fails safe, a person follows up
    how = own.matches(text, order) if order is not None else None
    if how is not None:
        own.remember(k, uid, order_no, how, now)
        after, outs = flow.advance(k, _intake(conv), intent, now)
        return after, [to_buyer(uid, own.PROVEN), *outs]
    conv, left = own.missed(conv)
    if left > 0:
        return conv, [to_buyer(uid, own.MISS.format(left=left))]
    return _give_up(k, conv, order, order_no, now)


def _by_the_shop(k: Kefu, conv: Conversation, order_no: str, text: str,
                 now: datetime) -> Turn:
    """A shop that answers only with the buyer's proof (Dujiao-Next's guest lookup): the
    order it answers with is the buyer's; none (wrong email or password) is a miss."""
    uid, proof = conv.user_id, own.proof_in(text)
    order: Order | None = None
    if all(getattr(proof, need, "") for need in conv.details["proving"]["needs"]):
        try:
            order = calls.lookup(k, order_no, proof)
        except BackendError:
            order = None
    if order is not None:
        own.remember(k, uid, order_no, "shop", now)
        after, outs = flow.advance(k, _intake(conv), k.intent(conv.intent), now, proven=order)
        return after, [to_buyer(uid, own.PROVEN), *outs]
    conv, left = own.missed(conv)
    if left > 0:
        return conv, [to_buyer(uid, own.MISS_BOTH.format(left=left))]
    return _give_up(k, conv, None, order_no, now)


def _intake(conv: Conversation, **changes: str) -> Conversation:
    details = {key: v for key, v in conv.details.items() if key not in _FORGET}
    return Conversation(conv.user_id, "intake", conv.intent, {**details, **changes})


def _give_up(k: Kefu, conv: Conversation, order: Order | None, order_no: str,
             now: datetime) -> Turn:
    """Three misses: a person takes over; the card (staff only) shows what the shop holds."""
    tries = int(conv.details["proving"]["tries"])
    details = {key: v for key, v in conv.details.items() if key not in _FORGET}
    details.update(order_checked=order_no, order=facts(order) if order else {"found": False})
    by_shop = bool(conv.details["proving"].get("needs"))
    details = noted(details, own.unproven_note(order, order_no, tries, by_shop),
                    "ownership_unproven",
                    order_no=order_no, tries=tries, found=order is not None)
    return flow.hand_over(k, Conversation(conv.user_id, "intake", conv.intent, details), now,
                          own.GIVE_UP)
