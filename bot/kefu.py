"""Wiring: build the services one kefu process shares (config, store, matcher, clock)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Config
from bot.db import Store, open_store
from bot.orders.shopdb import ShopDatabases
from intents.faq import Intent
from intents.match import Matcher, load_matcher
from intents.understand import Understanding, understand

Clock = Callable[[], datetime]
READS_KEPT = 256  # texts whose understanding a kefu keeps (a turn needs one or two)


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Kefu:
    """The dependencies of the core; no behaviour of its own beyond lookups."""

    config: Config
    store: Store
    matcher: Matcher
    clock: Clock = utc_now
    # The shop's answers to the calls this turn asked for (bot/orders/calls.py): a turn that
    # needs the shop is entered again with them, on a copy of this object.
    answers: Mapping[object, object] = field(default_factory=dict)
    # What a text means does not change within a run (same FAQ, same thresholds), and one
    # turn may ask several times (is it about the open ticket? which problem?): read once.
    # Shared by the copies a turn makes with answers; bounded, cleared when full.
    reads: dict[str, Understanding] = field(default_factory=dict, repr=False, compare=False)
    # Connection pools to the shop's own database (dujiaoka, acg-faka, Dujiao-Next): made
    # once for the process and shared by the copies above, never rebuilt per lookup.
    shop_databases: ShopDatabases = field(default_factory=ShopDatabases, compare=False)

    def now(self) -> datetime:
        """Current time from the injected clock, in the shop's time zone."""
        return self.clock().astimezone(self.config.tz)

    def understand(self, text: str) -> Understanding:
        """Understand a buyer message with this shop's thresholds and order pattern."""
        found = self.reads.get(text)
        if found is None:
            found = understand(self.matcher, text, self.config.thresholds,
                               self.config.order_pattern)
            if len(self.reads) >= READS_KEPT:
                self.reads.clear()
            self.reads[text] = found
        return found

    def intent(self, intent_id: str | None) -> Intent | None:
        """An FAQ intent by id."""
        return self.matcher.faq.get(intent_id) if intent_id else None


def bootstrap(config: Config, clock: Clock = utc_now, matcher: Matcher | None = None) -> Kefu:
    """Open the database, load the FAQ and register configured agents."""
    store = open_store(config.database)
    now = clock()
    with store.transaction():
        for agent in config.agents:
            store.agents.upsert(agent.id, agent.name, agent.role, now)
    return Kefu(config, store, matcher or load_matcher(config.faq), clock)
