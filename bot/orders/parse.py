"""Turn a shop's row or JSON object into an Order: times, amounts, status words (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.orders import STATUSES, Order, mask_code

# Status words shops commonly export, beyond kefu's own seven.
STATUS_WORDS = {
    "unpaid": "待支付", "pending": "待支付", "未支付": "待支付", "待付款": "待支付",
    "paid": "已支付", "已付款": "已支付", "待发货": "已支付",
    "delivered": "已发货", "shipped": "已发货", "发货成功": "已发货", "已发卡": "已发货",
    "recharging": "充值中", "processing": "充值中", "处理中": "充值中",
    "success": "充值成功", "succeeded": "充值成功", "已到账": "充值成功",
    "failed": "充值失败", "fail": "充值失败", "失败": "充值失败",
    "refunded": "已退款", "退款成功": "已退款",
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def status_of(word: Any, extra: Mapping[str, str] | None = None) -> str:
    """kefu's status for a shop's word (the shop's own map first); unknown words kept as is."""
    text = str(word if word is not None else "").strip()
    if text in STATUSES:
        return text
    table = {**STATUS_WORDS, **(extra or {})}
    return table.get(text, table.get(text.lower(), text))


def when(value: Any, tz: tzinfo) -> datetime | None:
    """A time from ISO text, "2024-11-22 15:30[:12]", or Unix seconds/milliseconds.

    Times without a zone are the shop's local time (`timezone` in kefu.yaml).
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    else:
        parsed = _text_time(str(value).strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _text_time(text: str) -> datetime:
    if re.fullmatch(r"\d{10}(\d{3})?", text):
        return datetime.fromtimestamp(int(text) / (1000 if len(text) == 13 else 1), UTC)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"not a time: {text[:40]!r}")


def amount(value: Any) -> float | None:
    """Yuan from 30, "30.00", "¥30", "30元"; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = re.sub(r"[¥￥元,\s]|RMB|CNY", "", str(value), flags=re.I)
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not an amount: {str(value)[:40]!r}") from None


def order_from(row: Mapping[str, Any], tz: tzinfo,
               statuses: Mapping[str, str] | None = None) -> Order:
    """An Order from a mapping with kefu's field names; ValueError names the bad field."""
    order_no = str(row.get("order_no") or "").strip()
    if not order_no:
        raise ValueError("order_no is empty")
    if row.get("status") in (None, ""):
        raise ValueError("status is empty")
    values: dict[str, Any] = {}
    for name, parse in (("amount", amount), ("paid_at", lambda v: when(v, tz)),
                        ("delivered_at", lambda v: when(v, tz)),
                        ("refunded_at", lambda v: when(v, tz))):
        try:
            values[name] = parse(row.get(name))
        except (ValueError, OverflowError, OSError) as exc:
            raise ValueError(f"{name}: {exc}") from None
    return Order(order_no=order_no, status=status_of(row["status"], statuses),
                 buyer=str(row.get("buyer") or "").strip(),
                 product=str(row.get("product") or "").strip(),
                 code_ref=mask_code(str(row.get("code_ref") or "")),
                 pay_channel=str(row.get("pay_channel") or "").strip(), **values)
