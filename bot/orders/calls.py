"""Calls to the shop's order system as data: the core asks, the adapter performs.

A turn that needs the shop (look an order up, ask for a refund or a resend)
does not call it: `ask` raises `NeedsCalls` with what it needs, the turn's
transaction rolls back, the adapter performs the calls with no transaction
open (`perform`, each within its total deadline) and enters the same turn
again with the answers (`Answered`). The turn then decides with the shop's
answers in hand and commits. A local backend (kefu's own `orders` table)
answers at once, inside the turn: it is neither remote nor slow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.kefu import Kefu
from bot.orders import ActionResult, BackendError, Order, OrderBackend, Proof, ProofNeeded
from bot.orders.backend import backend_for

__all__ = ["Answered", "Call", "LookupOrder", "NeedsCalls", "Proof", "ProofNeeded",
           "RequestRefund", "RequestResend", "answers_of", "ask", "lookup", "perform",
           "perform_with", "request"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LookupOrder:
    """Look an order up by its number, with the buyer's proof where the shop asks for one."""

    order_no: str
    proof: Proof | None = None


@dataclass(frozen=True)
class RequestRefund:
    """Ask the shop to refund an order to where it was paid from."""

    order: Order
    reason: str


@dataclass(frozen=True)
class RequestResend:
    """Ask the shop to deliver an order's card code again through its own channels."""

    order: Order
    # The ticket it is recorded on, named in the idempotency key. Not part of the call's
    # identity: if another turn took that number while the adapter called the shop, the
    # answer still belongs to this turn, and the shop is not asked twice.
    ticket: str = field(default="", compare=False)


Call = LookupOrder | RequestRefund | RequestResend


@dataclass(frozen=True)
class Answered:
    """What the shop said to a call: an order (or None: no such order), an action's result,
    or why it could not answer (`error`)."""

    call: Call
    value: Order | ActionResult | None = None
    error: str = ""
    # Set when the shop answers only with a proof: what to ask the buyer for (ProofNeeded).
    proof_needed: tuple[str, ...] = ()


class NeedsCalls(Exception):
    """The turn cannot be decided without these calls; nothing it did was committed."""

    def __init__(self, calls: Iterable[Call]) -> None:
        self.calls = tuple(dict.fromkeys(calls))
        super().__init__(", ".join(type(c).__name__ for c in self.calls))


def answers_of(answered: Iterable[Answered]) -> dict[Call, Answered]:
    """Answers keyed by the call they answer, as a turn looks them up."""
    return {a.call: a for a in answered}


def ask(k: Kefu, call: Call) -> Order | ActionResult | None:
    """The shop's answer to `call`; BackendError when it could not say; NeedsCalls when the
    adapter has yet to ask a remote shop."""
    answered: Mapping[object, Answered] = k.answers
    if call in answered:
        return _value(answered[call])
    backend = backend_for(k)
    if backend is None:
        raise BackendError("no order backend configured")
    if backend.remote:
        raise NeedsCalls([call])
    return _value(perform_with(backend, call))


def _value(answer: Answered) -> Order | ActionResult | None:
    if answer.proof_needed:
        raise ProofNeeded(answer.proof_needed)
    if answer.error:
        raise BackendError(answer.error)
    return answer.value


def perform(k: Kefu, call: Call) -> Answered:
    """Make one call to the shop (bounded by the backend's total deadline); never raises."""
    backend = backend_for(k)
    if backend is None:
        return Answered(call, error="no order backend configured")
    return perform_with(backend, call)


def perform_with(backend: OrderBackend, call: Call) -> Answered:
    """Make one call with this backend; errors become the answer's `error`."""
    try:
        if isinstance(call, LookupOrder):
            return Answered(call, backend.lookup(call.order_no, call.proof))
        if isinstance(call, RequestRefund):
            return Answered(call, backend.request_refund(call.order, call.reason))
        return Answered(call, backend.resend(call.order, call.ticket))
    except ProofNeeded as exc:
        return Answered(call, error=str(exc), proof_needed=exc.needs)
    except BackendError as exc:
        return Answered(call, error=str(exc)[:200] or type(exc).__name__)
    except Exception as exc:  # a bug or a surprise in a backend must not lose the turn
        logger.exception("order call %s failed", type(call).__name__)
        return Answered(call, error=f"{type(exc).__name__}: {str(exc)[:150]}")


def lookup(k: Kefu, order_no: str, proof: Proof | None = None) -> Order | None:
    """The order (None: the shop has no such order, or the proof does not match it), through
    `ask`; ProofNeeded when the shop answers only with the buyer's proof."""
    found = ask(k, LookupOrder(order_no, proof))
    return found if isinstance(found, Order) else None


def request(k: Kefu, call: RequestRefund | RequestResend) -> ActionResult:
    """A refund or resend request's result, through `ask`; a failure is a result, not raised."""
    try:
        result = ask(k, call)
    except BackendError as exc:
        return ActionResult(False, detail=str(exc)[:200])
    return result if isinstance(result, ActionResult) else ActionResult(False, detail="no answer")
