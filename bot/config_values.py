"""Check the merged raw settings and turn them into a Config; a wrong value is a
ConfigError that names its key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.eta import BusinessHours, EtaPolicy, TierSla
from bot.orders.settings import OrdersSettings, parse_orders
from bot.settings import (
    ROLES,
    Agent,
    Config,
    GuardPolicy,
    NoticePolicy,
    SlaPolicy,
    TelegramLimits,
)
from intents.decide import Thresholds

REPO_FAQ = Path(__file__).resolve().parent.parent / "faq.yaml"
HTTP_CLIENTS = ("aiohttp", "httpx")  # telegram.http


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the key."""


def _clock(value: Any, key: str) -> time:
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        raise ConfigError(f"{key}: expected a clock time like 09:00, got {value!r}")
    hour, minute = int(match[1]), int(match[2])
    if hour == 24 and minute:
        raise ConfigError(f"{key}: 24:{minute:02d} is not a time")
    return time(0, 0) if hour == 24 else time(hour, minute)


def _minutes(value: Any, key: str, minimum: float = 0) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{key}: expected a number of minutes >= {minimum}, got {value!r}")
    return timedelta(minutes=value)


def _number(value: Any, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"{key}: expected a number from {low} to {high}, got {value!r}")
    return float(value)


def _zone(value: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"timezone: unknown time zone {value!r}") from exc


def _pattern(value: Any) -> str:
    try:
        re.compile(str(value))
    except re.error as exc:
        raise ConfigError(f"order_pattern: not a valid regular expression: {exc}") from exc
    return str(value)


def _staff_chat(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"staff_chat: expected a Telegram chat id, got {value!r}") from exc


def _agents(value: Any) -> tuple[Agent, ...]:
    if value is None:  # "agents:" with every entry commented out
        return ()
    if not isinstance(value, list):
        raise ConfigError("agents: expected a list of {id, name, role}")
    agents = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            raise ConfigError(f"agents[{i}].id: expected a numeric Telegram user id")
        role = str(item.get("role", "junior"))
        if role not in ROLES:
            raise ConfigError(f"agents[{i}].role: expected one of {ROLES}, got {role!r}")
        agents.append(Agent(item["id"], str(item.get("name") or f"客服{i + 1}"), role))
    return tuple(agents)


def _sla(raw: Mapping[str, Any]) -> SlaPolicy:
    if not isinstance(raw["reassign_on_breach"], bool):
        raise ConfigError(f"sla.reassign_on_breach: expected true or false, "
                          f"got {raw['reassign_on_breach']!r}")
    return SlaPolicy(_number(raw["warn_ratio"], "sla.warn_ratio", 0.1, 0.99),
                     raw["reassign_on_breach"],
                     _number(raw["check_seconds"], "sla.check_seconds", 1, 3600))


def _count(value: Any, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _notices(raw: Mapping[str, Any]) -> NoticePolicy:
    aliases, alternatives = raw.get("aliases") or {}, raw.get("alternatives") or {}
    if not isinstance(aliases, dict) or not all(
            isinstance(v, list) and all(isinstance(a, str) and a for a in v)
            for v in aliases.values()):
        raise ConfigError("notices.aliases: expected channel: [alias, ...]")
    if not isinstance(alternatives, dict) or not all(
            isinstance(v, str) and v for v in alternatives.values()):
        raise ConfigError("notices.alternatives: expected channel: text")
    return NoticePolicy(tuple((str(c), tuple(v)) for c, v in aliases.items()),
                        tuple((str(c), v) for c, v in alternatives.items()))


def _tiers(raw: Mapping[str, Any]) -> tuple[dict[str, TierSla], dict[str, timedelta]]:
    slas, resolve = {}, {}
    for tier, spec in raw.items():
        key = f"tiers.{tier}"
        slas[tier] = TierSla(tier, _minutes(spec["first_reply_minutes"],
                                            f"{key}.first_reply_minutes", 1),
                             bool(spec.get("working_days_only", False)))
        resolve[tier] = _minutes(spec["resolve_minutes"], f"{key}.resolve_minutes", 1)
    return slas, resolve


def build(raw: dict[str, Any], source: Path | None) -> Config:
    """The Config the merged raw settings describe; raises ConfigError naming a wrong key."""
    tz = _zone(raw["timezone"])
    bh, eta = raw["business_hours"], raw["eta"]
    hours = BusinessHours(_clock(bh["opens"], "business_hours.opens"),
                          _clock(bh["closes"], "business_hours.closes"), tz,
                          bool(bh["workdays_only"]))
    policy = EtaPolicy(hours, _minutes(eta["minimum_minutes"], "eta.minimum_minutes"),
                       _minutes(eta["round_to_minutes"], "eta.round_to_minutes", 1))
    slas, resolve = _tiers(raw["tiers"])
    m = raw["match"]
    thresholds = Thresholds(_number(m["answer"], "match.answer", 0, 1),
                            _number(m["margin"], "match.margin", 0, 1),
                            _number(m["clarify"], "match.clarify", 0, 1))
    return Config(
        database=Path(str(raw["database"])),
        faq=Path(raw["faq"]) if raw["faq"] else _default_faq(),
        tz=tz, eta=policy, tiers=slas, resolve_targets=resolve,
        pickup=_minutes(eta["pickup_minutes"], "eta.pickup_minutes"),
        handle=_minutes(eta["handle_minutes"], "eta.handle_minutes", 1),
        history_size=int(_number(eta["history_size"], "eta.history_size", 1, 10_000)),
        order_pattern=_pattern(raw["order_pattern"] or _orders(raw["orders"]).order_pattern),
        thresholds=thresholds,
        reopen_days=int(_number(raw["reopen_days"], "reopen_days", 0, 365)),
        staff_chat=_staff_chat(raw["staff_chat"]),
        agents=_agents(raw["agents"]),
        source=source,
        sla=_sla(raw["sla"]),
        notices=_notices(raw["notices"]),
        guard=GuardPolicy(_count(raw["guard"]["flood_per_minute"], "guard.flood_per_minute",
                                 0, 10_000)),
        orders=_orders(raw["orders"]),
        telegram=_telegram(raw["telegram"]),
        retention_days=_count((raw["retention"] or {}).get("messages_days"),
                              "retention.messages_days", 0, 36_500),
        big_amount=_number(raw["tiers"]["S"].get("amount", 500), "tiers.S.amount", 1, 10**9),
    )


def _telegram(raw: Mapping[str, Any]) -> TelegramLimits:
    http = str(raw["http"] or "").strip().lower()
    if http not in HTTP_CLIENTS:
        raise ConfigError(f"telegram.http: expected one of {', '.join(HTTP_CLIENTS)}, "
                          f"got {raw['http']!r}")
    return TelegramLimits(
        _number(raw["messages_per_second"], "telegram.messages_per_second", 0, 1000),
        _number(raw["group_messages_per_minute"], "telegram.group_messages_per_minute", 0, 1000),
        http)


def _orders(raw: Mapping[str, Any]) -> OrdersSettings:
    try:
        return parse_orders(raw)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _default_faq() -> Path:
    local = Path("faq.yaml")
    return local if local.exists() else REPO_FAQ
