"""The requests kefu sends a shop's API: URLs, queries and bodies from templates (pure).

A lookup template names `{order_no}` and, for an API that checks the buyer's proof itself,
`{email}` / `{contact}` (both the checkout email or contact) and `{password}` (the 查询密码).
Values are URL-encoded in URLs and queries and sent as they are in form and JSON bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from bot.orders import BackendError, Proof
from bot.orders.http_settings import HttpSettings

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_NEEDS = {"email": "contact", "contact": "contact", "password": "password"}


@dataclass(frozen=True)
class Prepared:
    """One request, ready to send."""

    method: str
    url: str
    body: bytes | None = None
    content_type: str = ""

    def __repr__(self) -> str:
        # The URL and body may carry the buyer's email and lookup password.
        return f"Prepared({self.method} {redact(self.url)})"


def proof_needs(settings: HttpSettings) -> tuple[str, ...]:
    """What of the buyer's proof the lookup templates name: ("contact", "password") or less."""
    names = set(_PLACEHOLDER.findall(settings.lookup_url))
    for _, template in settings.lookup_params:
        names |= set(_PLACEHOLDER.findall(template))
    needed = {_NEEDS[n] for n in names if n in _NEEDS}
    return tuple(n for n in ("contact", "password") if n in needed)


def missing_proof(settings: HttpSettings, proof: Proof | None) -> tuple[str, ...]:
    """The parts of the proof this API needs that the buyer has not given."""
    given = {"contact": bool(proof and proof.contact.strip()),
             "password": bool(proof and proof.password.strip())}
    return tuple(n for n in proof_needs(settings) if not given[n])


def lookup_request(settings: HttpSettings, order_no: str, proof: Proof | None) -> Prepared:
    """The lookup: GET with the params as a query, or POST with them as a form or JSON body."""
    values = _values(order_no, proof)
    url = fill(settings.lookup_url, values, lambda v: quote(v, safe=""))
    params = [(name, fill(template, values, str)) for name, template in settings.lookup_params]
    if settings.lookup_method == "GET":
        if params:
            url += ("&" if urlsplit(url).query else "?") + urlencode(params)
        return Prepared("GET", url)
    if settings.lookup_body == "json":
        return Prepared("POST", url, _json(dict(params)), "application/json")
    return Prepared("POST", url, urlencode(params).encode(), "application/x-www-form-urlencoded")


def action_request(template: str, order_no: str, body: Mapping[str, Any]) -> Prepared:
    """A refund or resend request: POST of a JSON object."""
    url = fill(template, _values(order_no, None), lambda v: quote(v, safe=""))
    return Prepared("POST", url, _json(body), "application/json")


def headers(settings: HttpSettings, env: Mapping[str, str], prepared: Prepared,
            key: str | None = None) -> dict[str, str]:
    """The shop's headers with the token from the environment; an idempotency key for
    actions. BackendError when the token variable is unset."""
    token = ""
    if settings.token_env:
        token = env.get(settings.token_env, "")
        if not token:
            raise BackendError(f"environment variable {settings.token_env} is not set")
    out = {"Accept": "application/json", "User-Agent": "kefu"}
    out.update({name: value.replace("{token}", token) for name, value in settings.headers})
    if prepared.content_type:
        out["Content-Type"] = prepared.content_type
    if key:
        out["Idempotency-Key"] = key
    return out


def fill(template: str, values: Mapping[str, str], encode: Callable[[str], str]) -> str:
    """The template with each known {name} replaced by its encoded value."""
    return _PLACEHOLDER.sub(
        lambda m: encode(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def redact(url: str) -> str:
    """A URL fit for a log line: no query (it may hold an email or a lookup password)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _values(order_no: str, proof: Proof | None) -> dict[str, str]:
    contact = proof.contact.strip() if proof else ""
    return {"order_no": order_no, "email": contact, "contact": contact,
            "password": proof.password.strip() if proof else ""}


def _json(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
