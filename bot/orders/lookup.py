"""Where intake meets the shop's orders: look a number up once, then act on the remedy.

flow.advance calls `check` before it asks the next question and `opened` after
it opened a ticket. With no backend configured neither changes anything, so
kefu collects details for a person exactly as before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot import tickets
from bot.clock import shift
from bot.kefu import Kefu
from bot.orders import BackendError, Order, OrderBackend, ProofNeeded, calls, ownership
from bot.orders import wording as w
from bot.orders.act import carry_out
from bot.orders.backend import backend_for
from bot.orders.ticketing import Checked, noted, settle_ticket
from bot.outbox import to_buyer
from bot.records import Conversation, Outgoing
from bot.remedy import CLAIM_WINDOW, LOOKUP_INTENTS, NOT_RECEIVED, Ask, decide
from intents.faq import Intent


def takes(k: Kefu, intent: Intent) -> bool:
    """Whether the shop's order data answers this intent better than the FAQ text."""
    return k.config.orders.backend != "none" and intent.id in LOOKUP_INTENTS


def preface(intent: Intent, details: dict[str, Any], answer: str) -> str:
    """The FAQ text before the order question; none when the order's state will answer."""
    return "" if details.get("order_no") or intent.action == "answer" else answer


def check(k: Kefu, conv: Conversation, intent: Intent | None, now: datetime,
          proven: Order | None = None) -> Checked:
    """Look up a newly known order number and carry out what `remedy.decide` says.

    `proven`: the order as the shop answered a buyer's proof (a shop that answers only with
    one, such as Dujiao-Next's guest API): it is the buyer's, and not asked for again."""
    order_no = conv.details.get("order_no")
    if (intent is None or not order_no or not takes(k, intent)
            or conv.details.get("order_checked") == order_no
            or k.store.tickets.open_by_order(order_no, conv.user_id)):  # theirs, a person has it
        return Checked(conv)
    backend = backend_for(k)
    assert backend is not None  # takes() saw a backend configured
    try:  # a remote shop: the turn waits for the adapter to ask (NeedsCalls)
        order = proven or calls.lookup(k, order_no)
    except ProofNeeded as needed:  # the shop answers only with the buyer's email and password
        return ownership.ask(conv, intent, order_no, True, needed.needs)
    except BackendError as exc:
        return _unavailable(k, conv, intent, order_no, str(exc), now)
    if proven is None and ownership.needs_proof(k, backend, conv.user_id, order_no):
        return ownership.ask(conv, intent, order_no, order is not None)  # 请先核实
    ask = _ask(k, conv, intent, order_no, backend, now, proven is not None)
    return carry_out(k, conv, intent, order, decide(order, order_no, ask, k.config.orders),
                     backend, now)


def _ask(k: Kefu, conv: Conversation, intent: Intent, order_no: str, backend: OrderBackend,
         now: datetime, proven: bool = False) -> Ask:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)  # now is shop time
    claims = k.store.orders.claims(conv.user_id, NOT_RECEIVED, shift(now, -CLAIM_WINDOW), order_no)
    history = k.store.order_actions  # per order number: editing a ticket cannot reset it
    return Ask(intent.id, conv.user_id, now, conv.details.get("demand"),
               insisted=order_no in conv.details.get("order_missing", []),
               claims=claims + (intent.id in NOT_RECEIVED),
               refunds_today=history.refunds_since(midnight),
               refunded_before=history.refunded(order_no),
               resends_today=history.resends_since(midnight, order_no=order_no),
               buyer_resends_today=history.resends_since(midnight, user_id=conv.user_id),
               can_refund=backend.can_refund, can_resend=backend.can_resend,
               proven=proven or ownership.proven(k, conv.user_id, order_no))


def _unavailable(k: Kefu, conv: Conversation, intent: Intent, order_no: str, reason: str,
                 now: datetime) -> Checked:
    """The order system did not answer: nothing is lost, the ticket carries everything."""
    k.store.orders.record_check(conv.user_id, order_no, intent.id, None, "unavailable", now)
    details = noted({**conv.details, "order_checked": order_no, "order": {"unavailable": True}},
                    f"订单系统查询失败 ({reason[:120]}), 请人工核实",
                    "order_lookup_failed", reason=reason[:200])
    return Checked(replace(conv, details=details), [to_buyer(conv.user_id, w.LOOKUP_FAILED)])


def opened(k: Kefu, checked: Checked, turn: Conversation, outs: list[Outgoing],
           now: datetime) -> list[Outgoing]:
    """After intake: put what the lookup found on the new ticket and its staff card."""
    if turn.ticket_id is None or "order_checked" not in checked.conv.details:
        return checked.outs + outs
    ticket = settle_ticket(k, turn.ticket_id, checked.conv.details, now)
    fresh = [tickets.staff_card(k, ticket, now) if o.kind == "card" else o for o in outs]
    return checked.outs + fresh
