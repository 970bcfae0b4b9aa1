"""kefu's settings: defaults, then kefu.yaml, then the environment, then flags.

Every value has a default that works with no file at all. A wrong value is
a ConfigError that names the key. The Config built is in bot.settings, each value's
check in bot.config_values.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.config_values import ConfigError, build
from bot.orders.settings import DEFAULTS as ORDERS_DEFAULTS
from bot.settings import Config
from intents.decide import Thresholds

# The front door: callers import Config and ConfigError from here with load_config.
__all__ = ["DEFAULTS", "Config", "ConfigError", "find_config_file", "load_config"]

DEFAULTS: dict[str, Any] = {
    "database": "kefu.db",
    "faq": None,
    "timezone": "Asia/Shanghai",
    "business_hours": {"opens": "09:00", "closes": "24:00", "workdays_only": False},
    "tiers": {
        # amount: an order this big (元) with a problem is S tier whatever the problem is.
        "S": {"first_reply_minutes": 60, "resolve_minutes": 480, "working_days_only": False,
              "amount": 500},
        "A": {"first_reply_minutes": 120, "resolve_minutes": 1440, "working_days_only": False},
        "B": {"first_reply_minutes": 5, "resolve_minutes": 60, "working_days_only": False},
    },
    "eta": {"minimum_minutes": 5, "round_to_minutes": 5, "pickup_minutes": 10,
            "handle_minutes": 15, "history_size": 50},
    # None: the chosen order backend's own pattern (dujiaoka, acg-faka...), else the default.
    "order_pattern": None,
    "match": {"answer": Thresholds.answer, "margin": Thresholds.margin,
              "clarify": Thresholds.clarify},
    "reopen_days": 7,
    "sla": {"warn_ratio": 0.8, "reassign_on_breach": True, "check_seconds": 30},
    "notices": {"aliases": {}, "alternatives": {}},
    "guard": {"flood_per_minute": 20},
    # Days a message text is kept before it becomes a stub; 0 keeps texts (codes are still
    # masked once a ticket is resolved).
    "retention": {"messages_days": 180},
    "orders": ORDERS_DEFAULTS,
    "telegram": {"messages_per_second": 30, "group_messages_per_minute": 20, "http": "aiohttp"},
    "staff_chat": None,
    "agents": [],
}

ENV_KEYS = {"KEFU_DB": ("database",), "KEFU_TZ": ("timezone",),
            "KEFU_STAFF_CHAT": ("staff_chat",), "KEFU_FAQ": ("faq",)}


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
    return build(raw, source)


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


def _check_order_token(raw: Mapping[str, Any], env: Mapping[str, str]) -> None:
    """The shop API's token comes from the environment only; missing, kefu stops at start."""
    name = str(raw["http"].get("token_env") or "").strip()
    if str(raw["backend"]).strip().lower() == "http" and name and not env.get(name):
        raise ConfigError(f"orders.http.token_env: environment variable {name} is not set")
