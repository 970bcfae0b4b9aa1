"""kefu's resolved settings: the Config one process runs with and the policies in it.

Built by bot.config (defaults, kefu.yaml, the environment, flags); nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.eta import EtaPolicy, TierSla
from bot.orders.settings import OrdersSettings
from intents.decide import Thresholds

ROLES = ("junior", "senior", "supervisor")


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
    retention_days: int = 180  # retention.messages_days: older texts become a stub
    big_amount: float = 500.0  # tiers.S.amount: at or over it, a problem order is S tier

    def agent(self, agent_id: int) -> Agent | None:
        """The configured agent with this id, if any."""
        return next((a for a in self.agents if a.id == agent_id), None)
