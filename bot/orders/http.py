"""Orders from the shop's REST API (standard library only).

The adapter makes these calls off the database thread, with no transaction open
(bot/orders/calls.py); only the buyer who asked waits. A lookup is a GET or a POST
(form or JSON) built from templates (http_request.py); its answer may be wrapped and
may be a list (http_answer.py); one call never takes more than MAX_SECONDS (5 s),
retries and a throttling shop's Retry-After included (http_transport.py).

An API that checks the buyer's proof itself (Dujiao-Next's guest lookup: email and
查询密码) is asked only with one: `lookup(order_no)` without the proof its templates
name raises ProofNeeded(needs) and sends nothing; with it, an answer of "not found"
(a wrong email or password reads the same) is None, never an error.

Refund and resend requests carry an Idempotency-Key, so a retried request cannot act
twice on a shop that honours it: kefu-refund-ORDER (an order is refunded once) and
kefu-resend-ORDER-T1001 (one resend per ticket; a later resend of the same order, on
another ticket, is a new request and not swallowed as a repeat).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from bot.orders import ActionResult, BackendError, Order, Proof, ProofNeeded
from bot.orders.http_answer import field_map, get, parse_json, payload, pick, row
from bot.orders.http_request import (
    Prepared,
    action_request,
    headers,
    lookup_request,
    missing_proof,
)
from bot.orders.http_settings import MAX_SECONDS, HttpSettings
from bot.orders.http_transport import Transport
from bot.orders.parse import order_from


@dataclass(frozen=True)
class HttpOrders:
    """The shop's API: lookup_url (GET or POST), POST refund_url / resend_url."""

    settings: HttpSettings
    tz: tzinfo
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @property
    def remote(self) -> bool:
        """Calls cross the network: the adapter makes them, never inside a transaction."""
        return True

    @property
    def can_refund(self) -> bool:
        """A refund endpoint is configured."""
        return bool(self.settings.refund_url)

    @property
    def can_resend(self) -> bool:
        """A resend endpoint is configured."""
        return bool(self.settings.resend_url)

    @property
    def records_telegram(self) -> bool:
        """The `buyer` field names Telegram ids (`orders.http.records_telegram`; false for the
        acg-faka and Dujiao-Next presets, whose buyers are an email or a contact)."""
        return self.settings.records_telegram

    def lookup(self, order_no: str, proof: Proof | None = None) -> Order | None:
        """The order; None when the shop has no such order or the proof does not match it
        (404, a wrapper code other than ok_value, a list without it, a body without a
        status); ProofNeeded when the API needs a proof not given; BackendError otherwise."""
        needs = missing_proof(self.settings, proof)
        if needs:
            raise ProofNeeded(needs)
        status, raw = self._send(lookup_request(self.settings, order_no, proof))
        if status == 404:
            return None
        if status >= 400:
            raise BackendError(f"lookup: HTTP {status}")
        fields = field_map(self.settings)
        item = pick(payload(self.settings, parse_json(raw)), order_no, fields)
        if item is None:
            return None
        found = row(item, fields)
        if found.get("status") in (None, ""):
            return None  # e.g. {"code": 1, "msg": "订单不存在", "data": null}
        found["order_no"] = found.get("order_no") or order_no
        try:
            return order_from(found, self.tz, dict(self.settings.statuses))
        except ValueError as exc:
            raise BackendError(f"lookup: unreadable order: {exc}") from None

    def request_refund(self, order: Order, reason: str) -> ActionResult:
        """POST a refund request for the order."""
        body = {"order_no": order.order_no, "amount": order.amount, "reason": reason}
        return self._act("refund", self.settings.refund_url, order, body)

    def resend(self, order: Order, ticket: str = "") -> ActionResult:
        """POST a resend request: the shop delivers the code again through its own channels."""
        return self._act("resend", self.settings.resend_url, order, {"order_no": order.order_no},
                         ticket)

    def _act(self, kind: str, url: str, order: Order, body: dict[str, Any],
             ticket: str = "") -> ActionResult:
        if not url:
            raise BackendError(f"no {kind} endpoint configured")
        key = f"kefu-{kind}-{order.order_no}" + (f"-{ticket}" if ticket else "")
        status, raw = self._send(action_request(url, order.order_no, body), key)
        data = parse_json(raw, strict=200 <= status < 300)
        reference = str(get(data, field_map(self.settings)["reference"]) or "")
        if 200 <= status < 300:
            return ActionResult(True, reference)
        message = get(data, "message") or get(data, "msg") or ""
        return ActionResult(False, reference, f"HTTP {status} {str(message)[:200]}".strip())

    def _send(self, prepared: Prepared, key: str | None = None) -> tuple[int, bytes]:
        # MAX_SECONDS is read at call time, so a test may shorten the budget.
        transport = Transport(self.settings.timeout_seconds, self.settings.retries,
                              MAX_SECONDS, self.clock, self.sleep)
        return transport.send(prepared, headers(self.settings, self.env, prepared, key))
