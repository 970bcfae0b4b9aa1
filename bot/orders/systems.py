"""The three 发卡 systems kefu reads: each one's lookup query and its row in kefu's words
(pure: SQL text and row mapping, no connection).

Tables and columns follow each system's own install scripts and models: dujiaoka
`orders` + `pays` (database/sql/install.sql, app/Models/Order.php), acg-faka
`acg_order` + `acg_commodity` + `acg_pay` (kernel/Install/Install.sql), Dujiao-Next
`orders` + `order_items` + `fulfillments` + `users` (internal/modules/*/domain, GORM
names). Card codes are stored whole in all three; a query selects only the last 4
characters of the last code (`tail`), or reads the shop's own tail view when
`orders.tail_view` names one, so kefu's database user needs no access to the codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from bot.orders import (
    DELIVERED,
    DELIVERY_FAILED,
    EXPIRED,
    NO_STOCK,
    PAID,
    PART_DELIVERED,
    PART_REFUNDED,
    REFUNDED,
    TAIL,
    UNPAID,
    Order,
    mask_code,
)
from bot.orders.settings import SqlSettings

Row = Mapping[str, Any]


@dataclass(frozen=True)
class System:
    """One shop system: where its orders are, how to ask, and how to read the answer."""

    name: str
    dialect: str  # mysql | postgresql
    query: Callable[[SqlSettings], str]
    order: Callable[[Row, tzinfo], Order]


def mysql_tail(column: str) -> str:
    """The last TAIL characters of the last code in a one-code-a-line text column, trailing
    blank lines, CR and spaces ignored (MySQL/MariaDB)."""
    return (f"RIGHT(RTRIM(TRIM(TRAILING '\n' FROM RTRIM(REPLACE({column}, '\r', '')))), "
            f"{TAIL})")


def pg_tail(column: str) -> str:
    """The same in PostgreSQL, whose rtrim takes a set of characters."""
    return f"right(rtrim({column}, ' \t\r\n'), {TAIL})"


def _local(value: Any, tz: tzinfo) -> datetime | None:
    """A database time as an aware datetime; naive ones are the shop's local time."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _amount(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float | Decimal) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# dujiaoka ------------------------------------------------------------------------------
# app/Models/Order.php: 1 待支付, 2 待处理, 3 处理中, 4 已完成, 5 失败, 6 异常 (paid, no stock
# for an automatic order), -1 过期 (never paid). It has no refund state.
DUJIAOKA_STATUSES = {1: UNPAID, 2: PAID, 3: PAID, 4: DELIVERED, 5: DELIVERY_FAILED,
                     6: NO_STOCK, -1: EXPIRED}
_AUTOMATIC = 1  # orders.type: 1 automatic delivery (info holds codes), 2 manual (buyer input)


def dujiaoka_query(s: SqlSettings) -> str:
    """Look an order up by order_sn; the code tail only for delivered automatic orders."""
    tail = "kt.tail" if s.tail_view else mysql_tail("o.info")
    view = f" LEFT JOIN {s.tail_view} kt ON kt.order_no = o.order_sn" if s.tail_view else ""
    return (
        "SELECT o.order_sn, o.status, o.type, o.title, o.actual_price, o.email, "
        "o.search_pwd, o.updated_at, p.pay_name, "
        f"CASE WHEN o.type = {_AUTOMATIC} AND o.status = 4 THEN {tail} END AS tail "
        f"FROM orders o LEFT JOIN pays p ON p.id = o.pay_id{view} "
        "WHERE o.order_sn = :order_no AND o.deleted_at IS NULL LIMIT 1")


def dujiaoka_order(row: Row, tz: tzinfo) -> Order:
    """A dujiaoka row in kefu's words; updated_at is the nearest to a paid or done time."""
    code = int(row["status"])
    status = DUJIAOKA_STATUSES.get(code, f"dujiaoka 状态 {code}")
    changed = _local(row["updated_at"], tz)
    return Order(
        order_no=str(row["order_sn"]), status=status, buyer=_text(row["email"]),
        product=_text(row["title"]), amount=_amount(row["actual_price"]),
        paid_at=changed if code >= 2 else None,
        delivered_at=changed if status == DELIVERED else None,
        code_ref=mask_code(row["tail"]), pay_channel=_text(row["pay_name"]),
        lookup_password=_text(row["search_pwd"]))


# acg-faka ------------------------------------------------------------------------------
# status 0 unpaid / 1 paid, delivery_status 0 / 1. No failed, expired or refund state.


def acgfaka_query(s: SqlSettings) -> str:
    """Look an order up by trade_no in the prefixed tables."""
    p = s.table_prefix
    tail = "kt.tail" if s.tail_view else mysql_tail("o.secret")
    view = f" LEFT JOIN {s.tail_view} kt ON kt.order_no = o.trade_no" if s.tail_view else ""
    return (
        "SELECT o.trade_no, o.status, o.delivery_status, o.amount, o.contact, o.password, "
        "o.pay_time, c.name AS commodity, y.name AS pay_name, "
        f"CASE WHEN o.status = 1 AND o.delivery_status = 1 THEN {tail} END AS tail "
        f"FROM {p}order o LEFT JOIN {p}commodity c ON c.id = o.commodity_id "
        f"LEFT JOIN {p}pay y ON y.id = o.pay_id{view} "
        "WHERE o.trade_no = :order_no LIMIT 1")


def acgfaka_order(row: Row, tz: tzinfo) -> Order:
    """An acg-faka row; delivery is at payment time (it keeps no delivery time)."""
    paid = int(row["status"]) == 1
    delivered = paid and int(row["delivery_status"]) == 1
    paid_at = _local(row["pay_time"], tz) if paid else None
    return Order(
        order_no=str(row["trade_no"]), status=DELIVERED if delivered else PAID if paid
        else UNPAID, buyer=_text(row["contact"]), product=_text(row["commodity"]),
        amount=_amount(row["amount"]), paid_at=paid_at,
        delivered_at=paid_at if delivered else None, code_ref=mask_code(row["tail"]),
        pay_channel=_text(row["pay_name"]), lookup_password=_text(row["password"]))


# Dujiao-Next ---------------------------------------------------------------------------
# canceled is reached only from pending_payment: an unpaid order closed. A multi-item order
# is a parent with child orders, each with its own items and fulfillment.
DUJIAO_NEXT_STATUSES = {
    "pending_payment": UNPAID, "paid": PAID, "fulfilling": PAID,
    "partially_delivered": PART_DELIVERED, "delivered": DELIVERED, "completed": DELIVERED,
    "partially_refunded": PART_REFUNDED, "refunded": REFUNDED, "canceled": EXPIRED}


def dujiao_next_query(s: SqlSettings) -> str:
    """Look an order (or a parent order) up by order_no, with its latest fulfillment and
    first item's title, from its own rows or its children's."""
    tail = "kt.tail" if s.tail_view else pg_tail("f.payload")
    payload = "" if s.tail_view else "f.payload, "
    view = f" LEFT JOIN {s.tail_view} kt ON kt.order_no = o.order_no" if s.tail_view else ""
    family = "(c.id = o.id OR c.parent_id = o.id)"
    return (
        "SELECT o.order_no, o.status, o.total_amount, o.paid_at, o.updated_at, "
        "o.guest_password, COALESCE(NULLIF(o.guest_email, ''), u.email) AS buyer, "
        f"f.delivered_at, {tail} AS tail, "
        "(SELECT i.title_json FROM order_items i JOIN orders c ON c.id = i.order_id "
        f"WHERE {family} ORDER BY i.id LIMIT 1) AS title "
        "FROM orders o LEFT JOIN users u ON u.id = o.user_id AND o.user_id <> 0 "
        f"LEFT JOIN LATERAL (SELECT {payload}f.delivered_at FROM fulfillments f "
        f"JOIN orders c ON c.id = f.order_id WHERE {family} AND f.deleted_at IS NULL "
        "ORDER BY f.delivered_at DESC NULLS LAST, f.id DESC LIMIT 1) f ON true"
        f"{view} WHERE o.order_no = :order_no AND o.deleted_at IS NULL LIMIT 1")


def dujiao_next_order(row: Row, tz: tzinfo) -> Order:
    """A Dujiao-Next row; a refund's time is the order's last change."""
    word = _text(row["status"])
    status = DUJIAO_NEXT_STATUSES.get(word, word or "未知")
    return Order(
        order_no=str(row["order_no"]), status=status, buyer=_text(row["buyer"]),
        product=title_of(row["title"]), amount=_amount(row["total_amount"]),
        paid_at=_local(row["paid_at"], tz), delivered_at=_local(row["delivered_at"], tz),
        refunded_at=_local(row["updated_at"], tz) if status == REFUNDED else None,
        code_ref=mask_code(row["tail"]), lookup_password=_text(row["guest_password"]))


def title_of(value: Any) -> str:
    """An item title stored per language ({"zh-CN": ..., "en-US": ...}): Chinese first."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value.strip()
    if not isinstance(value, Mapping) or not value:
        return ""
    for lang in ("zh-CN", "zh", "zh-TW"):
        if value.get(lang):
            return str(value[lang]).strip()
    return str(next(iter(value.values()))).strip()


SYSTEMS = {
    "dujiaoka": System("dujiaoka", "mysql", dujiaoka_query, dujiaoka_order),
    "acgfaka": System("acgfaka", "mysql", acgfaka_query, acgfaka_order),
    "dujiao_next": System("dujiao_next", "postgresql", dujiao_next_query, dujiao_next_order),
}
