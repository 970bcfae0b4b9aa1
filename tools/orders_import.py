"""`kefu orders import FILE.csv`: the shop's order export into the `orders` table.

Headers may be kefu's names (order_no, status, ...) or the Chinese ones shop
admin panels export (订单号, 状态, ...). All rows are checked first; one bad
row imports nothing, and every bad row is reported with its line. A full card
code in the file is stored masked (****ABCD): kefu never keeps a whole code.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.db import Store
from bot.orders import STATUSES, Order
from bot.orders.parse import order_from

COLUMNS = ("order_no", "buyer", "product", "amount", "paid_at", "status", "delivered_at",
           "code_ref", "refunded_at", "pay_channel")
ALIASES = {
    "订单号": "order_no", "订单编号": "order_no", "order_id": "order_no",
    "买家": "buyer", "联系方式": "buyer", "买家联系方式": "buyer", "contact": "buyer",
    "telegram_id": "buyer", "商品": "product", "商品名称": "product",
    "金额": "amount", "实付金额": "amount", "支付金额": "amount",
    "付款时间": "paid_at", "支付时间": "paid_at", "状态": "status", "订单状态": "status",
    "发货时间": "delivered_at", "卡密": "code_ref", "card_code": "code_ref",
    "退款时间": "refunded_at", "支付方式": "pay_channel", "付款方式": "pay_channel",
}


@dataclass(frozen=True)
class ImportResult:
    """How many orders were written, or why none were."""

    written: int
    errors: tuple[str, ...] = ()


def import_csv(store: Store, path: Path, tz: tzinfo, now: datetime,
               order_pattern: str | None = None) -> ImportResult:
    """Check every row, then insert or replace them all by order number in one transaction.

    With `order_pattern` (kefu.yaml's), an order number that does not fit it is a bad row:
    a buyer could never name that order, so importing it would only hide a typo.
    """
    try:
        rows, errors = read_orders(path, tz, order_pattern)
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        return ImportResult(0, (f"{path}: {exc}",))
    if errors:
        return ImportResult(0, tuple(errors))
    with store.transaction():
        return ImportResult(store.orders.upsert(rows, now))


def read_orders(path: Path, tz: tzinfo, order_pattern: str | None = None
                ) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows ready for the `orders` table, and an error per bad line."""
    text = _decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {h: _column(h) for h in reader.fieldnames or []}
    missing = {"order_no", "status"} - set(columns.values())
    if missing:
        return [], [f"{path}: no column for {', '.join(sorted(missing))} "
                    f"(expected headers like order_no,status or 订单号,状态)"]
    rows, errors = [], []
    for line, raw in enumerate(reader, start=2):
        fields = {columns[h]: v for h, v in raw.items() if columns.get(h)}
        try:
            order = order_from(fields, tz)
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        if order.status not in STATUSES:
            errors.append(f"line {line}: status {order.status!r} is not one of "
                          f"{'/'.join(STATUSES)}")
            continue
        row = _row(order)
        if order_pattern and not re.fullmatch(order_pattern, row["order_no"], re.IGNORECASE):
            errors.append(f"line {line}: order number {row['order_no']!r} does not fit "
                          f"order_pattern {order_pattern} (kefu.yaml)")
            continue
        rows.append(row)
    return rows, errors


def _decode(data: bytes) -> str:
    # Excel saves UTF-8 with a BOM; older Chinese admin panels export GB18030.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _column(header: str | None) -> str | None:
    name = (header or "").strip()
    return name if name in COLUMNS else ALIASES.get(name, ALIASES.get(name.lower()))


def _row(order: Order) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(order, name) for name in COLUMNS}
    row["order_no"] = "".join(order.order_no.split())
    for name in ("paid_at", "delivered_at", "refunded_at"):
        row[name] = row[name].isoformat() if row[name] else None
    return row  # code_ref is already masked by order_from
