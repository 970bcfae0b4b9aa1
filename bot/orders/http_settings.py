"""The `orders.http:` section of kefu.yaml: how to reach the shop's API and read its JSON.

Errors are ValueErrors naming the key. The API token is never stored here: only the name
of the environment variable that holds it, read when a request is made. A `preset`
(bot/orders/presets.py) fills everything but `base_url` for the public APIs of acg-faka
and Dujiao-Next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.orders import STATUSES
from bot.orders.presets import trusted_statuses, with_preset

ORDER_FIELDS = ("order_no", "status", "buyer", "product", "amount", "paid_at", "delivered_at",
                "code_ref", "refunded_at", "pay_channel", "reference")
MAX_SECONDS = 5.0  # the whole of one lookup, retries included, never takes longer than this
METHODS, BODIES = ("GET", "POST"), ("form", "json")
# What a lookup template may name: the order number and the buyer's proof.
PLACEHOLDERS = ("order_no", "email", "contact", "password")

HTTP_DEFAULTS: dict[str, Any] = {
    "preset": "", "base_url": "",
    "lookup_url": "", "lookup_method": "GET", "lookup_body": "form", "lookup_params": {},
    "refund_url": "", "resend_url": "", "token_env": "", "headers": {},
    "data_path": "", "ok_path": "", "ok_value": "", "message_path": "msg",
    "error_values": [], "throttle_values": [], "throttle_words": [],
    "fields": {}, "statuses": {}, "records_telegram": True,
    "timeout_seconds": 2, "retries": 2,
}

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class HttpSettings:
    """How to reach the shop's REST API and read its JSON."""

    lookup_url: str = ""  # {order_no}, {email}/{contact}, {password} are filled in
    refund_url: str = ""  # empty: no refund endpoint, agents approve refunds with one tap
    resend_url: str = ""  # empty: no resend endpoint
    token_env: str = ""  # name of the environment variable holding the API token
    headers: Pairs = ()  # "{token}" in a value becomes the token
    fields: Pairs = ()  # kefu field -> dotted path in the shop's JSON ("a,b": both, joined)
    statuses: Pairs = ()  # the shop's status word -> kefu's status
    timeout_seconds: float = 2.0
    retries: int = 2
    lookup_method: str = "GET"
    lookup_body: str = "form"  # POST body: form fields or a JSON object
    lookup_params: Pairs = ()  # name -> template: the query of a GET, the body of a POST
    data_path: str = ""  # where the order (or a list of orders) sits in a wrapper
    ok_path: str = ""  # the wrapper's result code; other than ok_value: no such order
    ok_value: str = ""
    message_path: str = "msg"  # the wrapper's message, read for throttle_words
    error_values: tuple[str, ...] = ()  # result codes meaning the shop failed: BackendError
    throttle_values: tuple[str, ...] = ()  # result codes meaning slow down: BackendError 限流
    throttle_words: tuple[str, ...] = ()  # words in the message meaning the same
    records_telegram: bool = True  # `buyer` names Telegram ids (false for 发卡 presets)
    preset: str = ""


def parse_http(raw: Mapping[str, Any], required: bool) -> HttpSettings:
    """Validate the merged `orders.http` mapping, its preset filled in first."""
    raw = with_preset(raw, HTTP_DEFAULTS)
    params = _pairs(raw["lookup_params"], "orders.http.lookup_params")
    for name, template in params:
        _templates(template, f"orders.http.lookup_params.{name}")
    in_params = any("{order_no}" in t for _, t in params)
    lookup = _url(raw["lookup_url"], "orders.http.lookup_url", need_order_no=not in_params)
    if required and not lookup:
        raise ValueError("orders.http.lookup_url: required with backend http, e.g. "
                         "https://shop.example.com/api/orders/{order_no} (or set a preset)")
    token_env = str(raw["token_env"] or "").strip()
    if token_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token_env):
        raise ValueError(f"orders.http.token_env: expected an environment variable name, "
                         f"got {token_env!r}")
    if not isinstance(raw["records_telegram"], bool):
        raise ValueError("orders.http.records_telegram: expected true or false, "
                         f"got {raw['records_telegram']!r}")
    return HttpSettings(
        lookup_url=lookup,
        refund_url=_url(raw["refund_url"], "orders.http.refund_url"),
        resend_url=_url(raw["resend_url"], "orders.http.resend_url"),
        token_env=token_env,
        headers=_pairs(raw["headers"], "orders.http.headers"),
        fields=_fields(raw["fields"]),
        statuses=_statuses(raw["statuses"], STATUSES + trusted_statuses(raw)),
        timeout_seconds=number(raw["timeout_seconds"], "orders.http.timeout_seconds", 0.1,
                                MAX_SECONDS),
        retries=int(number(raw["retries"], "orders.http.retries", 0, 5, whole=True)),
        lookup_method=_choice(raw["lookup_method"], "orders.http.lookup_method", METHODS).upper(),
        lookup_body=_choice(raw["lookup_body"], "orders.http.lookup_body", BODIES).lower(),
        lookup_params=params,
        data_path=_path(raw["data_path"], "orders.http.data_path"),
        ok_path=_path(raw["ok_path"], "orders.http.ok_path"),
        ok_value=str(raw["ok_value"] if raw["ok_value"] is not None else "").strip(),
        message_path=_path(raw["message_path"], "orders.http.message_path"),
        error_values=_texts(raw["error_values"], "orders.http.error_values"),
        throttle_values=_texts(raw["throttle_values"], "orders.http.throttle_values"),
        throttle_words=_texts(raw["throttle_words"], "orders.http.throttle_words"),
        records_telegram=raw["records_telegram"],
        preset=str(raw["preset"] or ""))


def number(value: Any, key: str, low: float, high: float, whole: bool = False) -> float:
    """A number setting in [low, high] (`whole`: an integer), else a ValueError naming it."""
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise ValueError(f"{key}: expected {what} from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    text = str(value or "").strip()
    if text.lower() not in {c.lower() for c in choices}:
        raise ValueError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
    return text


def _templates(text: str, key: str) -> None:
    unknown = set(re.findall(r"\{(\w+)\}", text)) - set(PLACEHOLDERS)
    if unknown:
        raise ValueError(f"{key}: unknown placeholder {{{sorted(unknown)[0]}}}; expected "
                         f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}")


def _url(value: Any, key: str, need_order_no: bool = True) -> str:
    url = str(value or "").strip()
    if not url:
        return ""
    if not re.match(r"https?://", url) or (need_order_no and "{order_no}" not in url):
        raise ValueError(f"{key}: expected an http(s) URL containing {{order_no}}, got {url!r}")
    _templates(url, key)
    return url


def _path(value: Any, key: str) -> str:
    path = str(value or "").strip()
    if path and not re.fullmatch(r"[\w\-]+(\.[\w\-]+)*", path):
        raise ValueError(f"{key}: expected a dotted path such as data.list, got {path!r}")
    return path


def _texts(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
        raise ValueError(f"{key}: expected a list of words or codes")
    return tuple(str(v) for v in value)


def _pairs(value: Any, key: str) -> Pairs:
    if not isinstance(value, Mapping) or not all(isinstance(v, str | int)
                                                 for v in value.values()):
        raise ValueError(f"{key}: expected name: text pairs")
    return tuple((str(k), str(v)) for k, v in value.items())


def _fields(value: Any) -> Pairs:
    pairs = _pairs(value, "orders.http.fields")
    for name, _ in pairs:
        if name not in ORDER_FIELDS:
            raise ValueError(f"orders.http.fields.{name}: unknown order field; "
                             f"expected one of {', '.join(ORDER_FIELDS)}")
    return pairs


def _statuses(value: Any, allowed: tuple[str, ...]) -> Pairs:
    pairs = _pairs(value, "orders.http.statuses")
    for word, status in pairs:
        if status not in allowed:
            raise ValueError(f"orders.http.statuses.{word}: expected one of "
                             f"{'/'.join(STATUSES)}, got {status!r}")
    return pairs
