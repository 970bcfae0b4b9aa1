"""Ready-made `orders.http` settings for the public APIs of 发卡 systems (data only).

A shop sets `preset` and `base_url`; the preset fills the rest. Checked against the
systems' sources: acg-faka (lizhipay/acg-faka, app/Controller/User/Api/Index.php `query`)
and Dujiao-Next (dujiao-next/dujiao-next, guest handler and internal/constants).

Status words kefu lacks until the new statuses land (已过期, 部分发货, 部分退款) are
written as plain text here; a preset's statuses are trusted, a shop's own are checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.orders import DELIVERED, PAID, REFUNDED, UNPAID

EXPIRED, PART_DELIVERED, PART_REFUNDED = "已过期", "部分发货", "部分退款"

# acg-faka's 查询订单: POST /user/api/index/query, form `keywords` (an 18-digit order number
# matches trade_no). Answer {"code": 200, "data": {"list": [...], "total": n}}; an error is
# {"code": 0, "msg": "..."} with HTTP 200, throttling too ("请求过于频繁，请稍后再试", 30 a
# 10 minutes per IP), so the message is what tells it apart. `secret` (the codes) comes only
# when paid and without a lookup password; kefu keeps its last 4 characters.
ACGFAKA_PUBLIC: Mapping[str, Any] = MappingProxyType({
    "path": "/user/api/index/query",
    "lookup_method": "POST",
    "lookup_body": "form",
    "lookup_params": {"keywords": "{order_no}", "page": "1", "limit": "10"},
    "data_path": "data.list",
    "ok_path": "code",
    "ok_value": "200",
    "throttle_words": ["频繁", "頻繁", "too frequent"],
    "fields": {"order_no": "trade_no", "status": "status,delivery_status",
               "buyer": "contact", "product": "commodity.name", "amount": "amount",
               "paid_at": "pay_time", "code_ref": "secret", "pay_channel": "pay.name"},
    # status (0 unpaid, 1 paid) and delivery_status (0 waiting, 1 delivered), joined.
    "statuses": {"1,1": DELIVERED, "1,0": PAID, "0,0": UNPAID, "0,1": UNPAID},
    "records_telegram": False,
    "timeout_seconds": 4,  # a 2 s answer must still work; one try, then what time is left
    "retries": 1,
})

# Dujiao-Next's guest lookup: GET /api/v1/guest/orders/by-order-no/{order_no}?email=
# &order_password=. Wrapper {"status_code": 0, "msg": "success", "data": {...}}; a wrong
# email or password and an unknown number alike are HTTP 200 with status_code 404.
DUJIAO_NEXT_GUEST: Mapping[str, Any] = MappingProxyType({
    "path": "/api/v1/guest/orders/by-order-no/{order_no}",
    "lookup_method": "GET",
    "lookup_params": {"email": "{email}", "order_password": "{password}"},
    "data_path": "data",
    "ok_path": "status_code",
    "ok_value": "0",
    "error_values": ["500"],
    "throttle_values": ["429"],
    "fields": {"order_no": "order_no", "status": "status", "buyer": "guest_email",
               "product": "items.0.title.zh-CN", "amount": "total_amount",
               "paid_at": "paid_at", "delivered_at": "fulfillment.delivered_at",
               "code_ref": "fulfillment.payload"},
    "statuses": {"pending_payment": UNPAID, "paid": PAID, "fulfilling": PAID,
                 "partially_delivered": PART_DELIVERED, "delivered": DELIVERED,
                 "completed": DELIVERED, "partially_refunded": PART_REFUNDED,
                 "refunded": REFUNDED, "canceled": EXPIRED},
    "records_telegram": False,
    "timeout_seconds": 4,
    "retries": 1,
})

PRESETS: Mapping[str, Mapping[str, Any]] = MappingProxyType({
    "acgfaka_public": ACGFAKA_PUBLIC, "dujiao_next_guest": DUJIAO_NEXT_GUEST})
MERGED = ("headers", "fields", "statuses", "lookup_params")  # mappings: the shop's keys win


def with_preset(raw: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The `orders.http` mapping with its preset filled in: a key the shop left at its default
    takes the preset's value, mappings are merged (the shop's entries win)."""
    name = str(raw.get("preset") or "").strip().lower()
    if not name:
        return dict(raw)
    if name not in PRESETS:
        raise ValueError(f"orders.http.preset: expected one of {', '.join(PRESETS)}, "
                         f"got {raw['preset']!r}")
    base = str(raw.get("base_url") or "").strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"orders.http.base_url: required with preset {name}, "
                         "e.g. https://shop.example.com")
    preset = PRESETS[name]
    out = dict(raw, preset=name, base_url=base)
    for key, value in preset.items():
        if key == "path":
            if not raw.get("lookup_url"):
                out["lookup_url"] = base + str(value)
        elif key in MERGED:
            out[key] = {**value, **dict(raw.get(key) or {})}
        elif raw.get(key) == defaults.get(key):
            out[key] = value
    return out


def trusted_statuses(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The kefu words a preset may map to beyond today's statuses (they arrive with 14)."""
    name = str(raw.get("preset") or "").strip().lower()
    return tuple(PRESETS[name]["statuses"].values()) if name in PRESETS else ()
