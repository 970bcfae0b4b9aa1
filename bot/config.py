"""kefu's settings: defaults, then kefu.yaml, then the environment, then flags.

Every value has a default that works with no file at all. A wrong value is
a ConfigError that names the key.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.eta import BusinessHours, EtaPolicy, TierSla
from bot.orders.settings import DEFAULTS as ORDERS_DEFAULTS
from bot.orders.settings import OrdersSettings, parse_orders
from intents.decide import Thresholds
from intents.extract import DEFAULT_ORDER_PATTERN

REPO_FAQ = Path(__file__).resolve().parent.parent / "faq.yaml"
ROLES = ("junior", "senior", "supervisor")

DEFAULTS: dict[str, Any] = {
    "database": "kefu.db",
    "faq": None,
    "timezone": "Asia/Shanghai",
    "business_hours": {"opens": "09:00", "closes": "24:00", "workdays_only": False},
    "tiers": {
        "S": {"first_reply_minutes": 60, "resolve_minutes": 480, "working_days_only": False},
        "A": {"first_reply_minutes": 120, "resolve_minutes": 1440, "working_days_only": False},
        "B": {"first_reply_minutes": 5, "resolve_minutes": 60, "working_days_only": False},
    },
    "eta": {"minimum_minutes": 5, "round_to_minutes": 5, "pickup_minutes": 10,
            "handle_minutes": 15, "history_size": 50},
    "order_pattern": DEFAULT_ORDER_PATTERN,
    "match": {"answer": Thresholds.answer, "margin": Thresholds.margin,
              "clarify": Thresholds.clarify},
    "reopen_days": 7,
    "sla": {"warn_ratio": 0.8, "reassign_on_breach": True, "check_seconds": 30},
    "notices": {"aliases": {}, "alternatives": {}},
    "guard": {"flood_per_minute": 20},
    "orders": ORDERS_DEFAULTS,
    "telegram": {"messages_per_second": 30, "group_messages_per_minute": 20, "http": "aiohttp"},
    "staff_chat": None,
    "agents": [],
}

HTTP_CLIENTS = ("aiohttp", "httpx")  # telegram.http
ENV_KEYS = {"KEFU_DB": ("database",), "KEFU_TZ": ("timezone",),
            "KEFU_STAFF_CHAT": ("staff_chat",), "KEFU_FAQ": ("faq",)}


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class Agent:
    """A human agent known to kefu."""

    id: int
    name: str
    role: str = "junior"


@dataclass(frozen=True)
class SlaPolicy:
    """When staff are warned, whether a breach reassigns, how often timers are checked."""

    warn_ratio: float = 0.8
    reassign_on_breach: bool = True
    check_seconds: float = 30


@dataclass(frozen=True)
class GuardPolicy:
    """Per-buyer flood limit: messages a minute before kefu asks them to slow down (0: off)."""

    flood_per_minute: int = 20


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram's flood limits kefu keeps when sending (0: none, e.g. against a test server),
    and the HTTP client it talks to the Bot API with."""

    messages_per_second: float = 30
    group_messages_per_minute: float = 20
    http: str = "aiohttp"  # or "httpx", python-telegram-bot's own


@dataclass(frozen=True)
class NoticePolicy:
    """How buyers name each channel, and what to use while it is down."""

    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    alternatives: tuple[tuple[str, str], ...] = ()

    def names(self, channel: str) -> tuple[str, ...]:
        """The channel and every alias buyers use for it."""
        return (channel, *dict(self.aliases).get(channel, ()))

    def alternative(self, channel: str) -> str | None:
        """What buyers can do meanwhile ("可以先用微信支付"), if configured."""
        return dict(self.alternatives).get(channel)


@dataclass(frozen=True)
class Config:
    """Resolved settings for one kefu process."""

    database: Path
    faq: Path
    tz: ZoneInfo
    eta: EtaPolicy
    tiers: Mapping[str, TierSla]
    resolve_targets: Mapping[str, timedelta]
    pickup: timedelta
    handle: timedelta
    history_size: int
    order_pattern: str
    thresholds: Thresholds
    reopen_days: int
    staff_chat: int | None
    agents: tuple[Agent, ...]
    source: Path | None = None
    sla: SlaPolicy = SlaPolicy()
    notices: NoticePolicy = NoticePolicy()
    guard: GuardPolicy = GuardPolicy()
    orders: OrdersSettings = field(default_factory=OrdersSettings)
    telegram: TelegramLimits = TelegramLimits()

    def agent(self, agent_id: int) -> Agent | None:
        """The configured agent with this id, if any."""
        return next((a for a in self.agents if a.id == agent_id), None)


def find_config_file(explicit: str | Path | None, env: Mapping[str, str]) -> Path | None:
    """--config, else KEFU_CONFIG, else ./kefu.yaml when present."""
    if explicit:
        return Path(explicit)
    if env.get("KEFU_CONFIG"):
        return Path(env["KEFU_CONFIG"])
    local = Path("kefu.yaml")
    return local if local.exists() else None


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None,
                db: str | Path | None = None) -> Config:
    """Resolve settings from defaults, file, environment and a --db flag."""
    env = os.environ if env is None else env
    raw = copy.deepcopy(DEFAULTS)
    source = find_config_file(path, env)
    if source is not None:
        _merge(raw, _read_yaml(source), "")
    for var, key in ENV_KEYS.items():
        if env.get(var):
            raw[key[0]] = env[var]
    if db:
        raw["database"] = str(db)
    _check_order_token(raw["orders"], env)
    return _build(raw, source)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a mapping at the top level")
    return data


def _merge(base: dict[str, Any], extra: Mapping[str, Any], prefix: str) -> None:
    for key, value in extra.items():
        name = f"{prefix}{key}"
        if key not in base:
            raise ConfigError(f"{name}: unknown setting")
        if isinstance(base[key], dict) and not base[key]:
            # An empty default mapping is the shop's own (channel aliases, field maps).
            if not isinstance(value, dict):
                raise ConfigError(f"{name}: expected a mapping")
            base[key] = dict(value)
        elif isinstance(base[key], dict) and key != "tiers":
            if not isinstance(value, dict):
                raise ConfigError(f"{name}: expected a mapping")
            _merge(base[key], value, f"{name}.")
        elif key == "tiers" and isinstance(value, dict):
            for tier, spec in value.items():
                if tier not in base["tiers"] or not isinstance(spec, dict):
                    raise ConfigError(f"tiers.{tier}: expected one of S, A, B with a mapping")
                _merge(base["tiers"][tier], spec, f"tiers.{tier}.")
        else:
            base[key] = value


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


def _build(raw: dict[str, Any], source: Path | None) -> Config:
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
        order_pattern=_pattern(raw["order_pattern"]),
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


def _check_order_token(raw: Mapping[str, Any], env: Mapping[str, str]) -> None:
    """The shop API's token comes from the environment only; missing, kefu stops at start."""
    name = str(raw["http"].get("token_env") or "").strip()
    if str(raw["backend"]).strip().lower() == "http" and name and not env.get(name):
        raise ConfigError(f"orders.http.token_env: environment variable {name} is not set")


def _default_faq() -> Path:
    local = Path("faq.yaml")
    return local if local.exists() else REPO_FAQ
