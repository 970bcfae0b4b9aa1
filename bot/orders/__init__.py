"""The shop's orders as kefu sees them: one record type and one backend interface.

Backends (sqlite.py, http.py) turn the shop's data into `Order`; nothing else
in kefu knows where orders live. A card code never travels in full: the
record keeps a masked reference and only its last four characters are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

UNPAID, PAID, DELIVERED = "待支付", "已支付", "已发货"
RECHARGING, RECHARGED, RECHARGE_FAILED, REFUNDED = "充值中", "充值成功", "充值失败", "已退款"
# What 发卡 systems (dujiaoka, acg-faka, Dujiao-Next) say beyond that: an unpaid order that
# expired or was cancelled, a paid order delivered or refunded in part, a paid automatic
# order that found no stock (dujiaoka 异常), and a delivery the system gave up on.
EXPIRED, PART_DELIVERED, PART_REFUNDED = "已过期", "部分发货", "部分退款"
NO_STOCK, DELIVERY_FAILED = "缺货", "发货失败"
STATUSES = (UNPAID, PAID, DELIVERED, RECHARGING, RECHARGED, RECHARGE_FAILED, REFUNDED,
            EXPIRED, PART_DELIVERED, PART_REFUNDED, NO_STOCK, DELIVERY_FAILED)
TAIL = 4  # characters of a card code a buyer may see


class BackendError(Exception):
    """The order system could not answer (timeout, 5xx, bad data): a person takes over."""


@dataclass(frozen=True)
class Order:
    """One order in the shop's system, in kefu's words."""

    order_no: str
    status: str  # one of STATUSES, or the shop's own word when it maps to none
    buyer: str = ""  # the buyer's contact or Telegram id, as the shop recorded it
    product: str = ""
    amount: float | None = None
    paid_at: datetime | None = None
    delivered_at: datetime | None = None
    # Kept out of repr so a logged Order can never carry more of a code than the tail.
    code_ref: str = field(default="", repr=False)
    refunded_at: datetime | None = None
    pay_channel: str = ""  # 支付宝 / 微信 / 银行卡: where a refund goes back
    # The buyer's lookup password (查询密码) where the shop keeps one: compared with what a
    # buyer types to prove the order is theirs, never shown, stored or logged.
    lookup_password: str = field(default="", repr=False)

    @property
    def code_tail(self) -> str:
        """The last four letters or digits of the card code ("" when none is known)."""
        return code_tail(self.code_ref)


@dataclass(frozen=True)
class ActionResult:
    """What the shop's system said to a refund or resend request."""

    ok: bool
    reference: str = ""  # the shop's id for the request, for the agent
    detail: str = ""  # why it failed, in the shop's words (never shown to buyers)


class OrderBackend(Protocol):
    """Where orders come from; refund and resend only where `can_*` is true."""

    @property
    def remote(self) -> bool:
        """Calls cross the network (or may be slow): never made inside a transaction."""
        ...

    @property
    def can_refund(self) -> bool:
        """The shop takes refund requests from kefu."""
        ...

    @property
    def records_telegram(self) -> bool:
        """The shop's `buyer` field names Telegram users (kefu's own table, mapped APIs);
        false for 发卡 systems that know buyers by contact, email and lookup password."""
        ...

    @property
    def can_resend(self) -> bool:
        """The shop takes resend requests from kefu."""
        ...

    def lookup(self, order_no: str, proof: Proof | None = None) -> Order | None:
        """The order, None when the shop has no such order (or the proof does not match it);
        BackendError when it cannot say; ProofNeeded when it answers only with a proof."""
        ...

    def request_refund(self, order: Order, reason: str) -> ActionResult:
        """Ask the shop to refund the order to where it was paid from."""
        ...

    def resend(self, order: Order, ticket: str = "") -> ActionResult:
        """Ask the shop to deliver the card code again through its own channels (for the
        ticket that records it)."""
        ...


def code_tail(code: str | None) -> str:
    """The last TAIL letters or digits of a code or masked reference ("****ABCD" -> ABCD)."""
    return "".join(c for c in (code or "") if c.isalnum())[-TAIL:]


def mask_code(code: str | None) -> str:
    """A reference safe to store and show: "****" and the last four characters."""
    tail = code_tail(code)
    return f"****{tail}" if tail else ""


def mask_contact(contact: str) -> str:
    """A buyer contact for the staff card: 138****5678, a***@qq.com; Telegram ids stay."""
    text = contact.strip()
    if re.fullmatch(r"(tg:)?\d+", text) and not re.fullmatch(r"1[3-9]\d{9}", text):
        return text  # a Telegram id (a mainland mobile number is 1[3-9] and 11 digits)
    if "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{text[:3]}****{text[-4:]}" if len(text) > 7 else "***"


def owned_by(order: Order, user_id: int) -> bool | None:
    """Whether the order names this Telegram user; None when it names nobody."""
    names = {n.strip().lower() for n in re.split(r"[,;\s]+", order.buyer) if n.strip()}
    if not names:
        return None
    return bool(names & {str(user_id), f"tg:{user_id}"})


class ProofNeeded(BackendError):
    """The shop answers only with the buyer's proof (Dujiao-Next's guest lookup): ask the buyer
    for `needs` ("contact": the checkout email or contact, "password": the 查询密码), then look
    the order up again with a Proof. A subclass of BackendError, so code that does not know it
    fails safe: the buyer gets a person."""

    def __init__(self, needs: tuple[str, ...]) -> None:
        self.needs = needs
        super().__init__(f"proof needed: {', '.join(needs)}")


@dataclass(frozen=True)
class Proof:
    """What a buyer typed to prove an order theirs, passed to a shop that checks it itself."""

    contact: str = ""  # the checkout email or contact
    password: str = ""  # the lookup password (查询密码)

    def __repr__(self) -> str:
        # Logged calls and answers carry a Proof: the password never, the contact masked.
        contact = mask_contact(self.contact) if self.contact else ""
        return f"Proof(contact={contact!r}, password={'***' if self.password else ''!r})"
