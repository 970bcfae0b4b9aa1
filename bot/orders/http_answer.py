"""Reading a shop API's answer: its wrapper, a list of orders, the fields kefu maps (pure).

A wrapper such as {"status_code": 0, "msg": "success", "data": {...}} is read with
`ok_path` / `ok_value` (another code: no such order, or a proof that does not match),
`error_values` (the shop failed), `throttle_values` and `throttle_words` (slow down).
A list answer is searched for the element whose mapped order number is the one asked.
Card codes are masked as they are read: nothing past this module holds a whole code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.orders import BackendError, mask_code
from bot.orders.http_settings import ORDER_FIELDS, HttpSettings

THROTTLED = "限流"  # how a throttled lookup's BackendError begins


def parse_json(raw: bytes, strict: bool = True) -> Any:
    """The parsed body; an error page that is not JSON only matters on success."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        if strict:
            raise BackendError("response is not JSON") from None
        return None


def get(data: Any, path: str) -> Any:
    """data["a"]["b"][0] for the dotted path "a.b.0"; None where anything is missing."""
    for part in path.split("."):
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def value(data: Any, path: str) -> Any:
    """The value at a field's path; "a,b" joins both as text ("1,0"), for a status that two
    fields make (acg-faka's paid and delivered)."""
    if "," not in path:
        return get(data, path)
    parts = [get(data, p.strip()) for p in path.split(",")]
    return None if all(p in (None, "") for p in parts) else ",".join(_text(p) for p in parts)


def payload(settings: HttpSettings, data: Any) -> Any:
    """What the wrapper holds (None: the shop says no such order); BackendError when the
    wrapper says the shop failed or is throttling kefu."""
    message = _text(get(data, settings.message_path)) if settings.message_path else ""
    code = _text(get(data, settings.ok_path)) if settings.ok_path else ""
    if (settings.ok_path and code in settings.throttle_values) or (
            code != settings.ok_value and _says(message, settings.throttle_words)):
        raise BackendError(f"{THROTTLED}: the shop asks kefu to slow down ({message[:80]})")
    if settings.ok_path and code != settings.ok_value:
        if code in settings.error_values:
            raise BackendError(f"lookup: the shop answered {settings.ok_path}={code} "
                               f"{message[:120]}".rstrip())
        return None
    return get(data, settings.data_path) if settings.data_path else data


def pick(found: Any, order_no: str, fields: Mapping[str, str]) -> Mapping[str, Any] | None:
    """The order in a payload: the object itself, or the list element whose order number is
    the one asked (a list may answer a search by contact); None when there is none."""
    if isinstance(found, Mapping):
        return found
    if not isinstance(found, list):
        return None
    wanted = order_no.strip().casefold()
    return next((item for item in found if isinstance(item, Mapping)
                 and _text(value(item, fields["order_no"])).casefold() == wanted), None)


def row(item: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """kefu's field names and the shop's values, the card code already masked."""
    out = {name: value(item, path) for name, path in fields.items()}
    if out.get("code_ref") not in (None, ""):
        out["code_ref"] = mask_code(_text(out["code_ref"]))
    return out


def field_map(settings: HttpSettings) -> dict[str, str]:
    """kefu field -> path, each field at its own name unless the settings map it."""
    return {**{f: f for f in ORDER_FIELDS}, **dict(settings.fields)}


def _says(message: str, words: tuple[str, ...]) -> bool:
    text = message.casefold()
    return any(w.casefold() in text for w in words if w)


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()
