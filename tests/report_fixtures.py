"""A database of known content for the report tests, made through kefu's real flows.

Fourteen conversations over two days (Shanghai time), six tickets, agent replies at chosen
minutes after each ticket opened, one SLA breach, one manual escalation, one reopening and
three ratings. tests/test_report.py lists the figures this must produce, worked out by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Config, load_config
from bot.db import open_store
from bot.kefu import Kefu, bootstrap
from bot.records import RESOLVED, Outgoing
from bot.sla import check_sla
from intents.match import Matcher
from tests.fixtures_core import MINI_FAQ, WORK_TIME, Buyer, FakeClock, agent

STEP = timedelta(seconds=10)  # between a buyer's messages: every turn has its own timestamp
XIAO_WANG, LAO_LI = 501, 502  # senior, supervisor (tests/fixtures_core.py config)
DAY2 = WORK_TIME + timedelta(hours=20)  # Tuesday 10:00 in Shanghai


def order(uid: int) -> str:
    """A valid order number per buyer."""
    return f"KM2026112300000000{uid:02d}"


class Shop:
    """The clock, kefu and each buyer; steps keep the clock moving forward only."""

    def __init__(self, k: Kefu, clock: FakeClock) -> None:
        self.k, self.clock = k, clock
        self.buyers: dict[int, Buyer] = {}

    def buyer(self, uid: int) -> Buyer:
        """The same Buyer helper each time (it remembers the last buttons offered)."""
        return self.buyers.setdefault(uid, Buyer(self.k, uid, f"买家{uid}"))

    def says(self, uid: int, *steps: str) -> None:
        """Text, or a button's data when the step is one (fb:yes, pick:x, demand:补发)."""
        for step in steps:
            self.clock.advance(seconds=STEP.total_seconds())
            b = self.buyer(uid)
            is_button = ":" in step or step in ("human", "no_order")
            b.presses(step) if is_button else b.says(step)

    def at(self, when: datetime, act: Callable[[], object]) -> None:
        """Move the clock to `when` (never back) and act."""
        assert when >= self.clock.now, f"clock would go back to {when}"
        self.clock.now = when
        act()

    def opened(self, ticket_id: int) -> datetime:
        """When a ticket was opened."""
        ticket = self.k.store.tickets.get(ticket_id)
        assert ticket is not None
        return ticket.created_at


def build(k: Kefu, clock: FakeClock) -> Shop:
    """Write the known content; returns the shop with the clock after the last step."""
    shop = Shop(k, clock)
    agent(k, XIAO_WANG, "duty", text="on")
    agent(k, LAO_LI, "duty", text="on")
    _day_one_buyers(shop)
    _day_one_agents(shop)
    _day_two(shop)
    return shop


def _day_one_buyers(shop: Shop) -> None:
    minute = lambda m: WORK_TIME + timedelta(minutes=m)  # noqa: E731
    shop.at(minute(0), lambda: shop.says(1, "卡密怎么用", "fb:yes"))          # bot
    shop.at(minute(2), lambda: shop.says(2, "你好"))                           # bot
    shop.at(minute(4), lambda: shop.says(3, "今天天气怎么样"))                 # unanswered
    shop.at(minute(6), lambda: shop.says(4, "讲个笑话", "human", "issue:card_not_received",
                                         order(4), "demand:补发"))               # T1 fallback
    shop.at(shop.opened(1) + timedelta(minutes=1),
            lambda: agent(shop.k, XIAO_WANG, "reply", 1, "马上补发"))
    shop.at(minute(9), lambda: shop.says(5, "我要退款", order(5)))             # T2 intent
    shop.at(minute(11), lambda: shop.says(6, "卡密", "pick:card_usage"))       # bot
    shop.at(minute(13), lambda: shop.says(7, "退款多久到", "fb:no", order(7)))  # T3 unsolved
    shop.at(minute(15), lambda: shop.says(8, "账号被盗了", "no_order"))        # T4 intent
    shop.at(shop.opened(4) + timedelta(minutes=2),
            lambda: agent(shop.k, LAO_LI, "reply", 4, "已冻结账号"))


def _day_one_agents(shop: Shop) -> None:
    k = shop.k
    t1, t2, t3, t4 = (shop.opened(i) for i in (1, 2, 3, 4))
    shop.at(t3 + timedelta(minutes=6), lambda: check_sla(k))  # T3 (B, 5 min) breaches
    shop.at(t3 + timedelta(minutes=8), lambda: shop.says(9, "转人工", "issue:contact_human",
                                                          "会员怎么续费", "no_order",
                                                          "demand:其他"))  # T5
    shop.at(t3 + timedelta(minutes=10), lambda: shop.says(10, "我要退款"))     # left
    shop.at(t4 + timedelta(minutes=60), lambda: agent(k, LAO_LI, "resolve", 4))
    shop.at(t4 + timedelta(minutes=61), lambda: shop.says(8, "rate:4:1"))
    shop.at(t1 + timedelta(minutes=120), lambda: agent(k, XIAO_WANG, "resolve", 1))
    shop.at(t1 + timedelta(minutes=121), lambda: shop.says(4, "rate:1:5"))
    shop.at(t3 + timedelta(minutes=200), lambda: agent(k, LAO_LI, "reply", 3, "退款已发起"))
    shop.at(t2 + timedelta(minutes=300), lambda: agent(k, XIAO_WANG, "reply", 2, "在核实"))
    shop.at(t2 + timedelta(minutes=301), lambda: agent(k, XIAO_WANG, "escalate", 2, "金额大"))
    shop.at(t2 + timedelta(minutes=360), lambda: agent(k, XIAO_WANG, "resolve", 2))
    shop.at(t2 + timedelta(minutes=361), lambda: shop.says(5, "rate:2:3"))
    shop.at(t2 + timedelta(minutes=400), lambda: shop.says(5, "reopen:2"))
    shop.at(t2 + timedelta(minutes=480), lambda: agent(k, XIAO_WANG, "resolve", 2))


def _day_two(shop: Shop) -> None:
    minute = lambda m: DAY2 + timedelta(minutes=m)  # noqa: E731
    shop.at(minute(0), lambda: shop.says(7, "还没好吗"))                         # follow-up
    shop.at(minute(2), lambda: shop.says(11, "发票怎么开"))                      # unanswered
    shop.at(minute(4), lambda: shop.says(12, "能开发票吗", "卡密怎么用", "fb:yes"))  # bot
    shop.at(minute(6), lambda: shop.says(13, "开发票"))                          # unanswered
    shop.at(minute(60), lambda: shop.says(14, "我要退款", order(14)))            # T6, pending


@dataclass(frozen=True)
class ShopDb:
    """The generated database, its config and the period the tests report on."""

    config: Config
    since: datetime
    until: datetime
    now: datetime  # a minute after the last ticket opened: its promise is still running


SINCE = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Shanghai"))
UNTIL = SINCE + timedelta(days=2)


def write_config(folder: Path, faq: Path = MINI_FAQ) -> Path:
    """A kefu.yaml like tests/fixtures_core.py's, with its database in folder."""
    path = folder / "kefu.yaml"
    path.write_text(
        f"database: {folder / 'kefu.db'}\nfaq: {faq}\n"
        "match: {answer: 0.5, margin: 0.05, clarify: 0.2}\n"
        "agents:\n  - {id: 501, name: 小王, role: senior}\n"
        "  - {id: 502, name: 老李, role: supervisor}\n", encoding="utf-8")
    return path


def make_shop_db(folder: Path, matcher: Matcher) -> ShopDb:
    """Write the known content into folder (test modules build it once, module-scoped)."""
    config = load_config(write_config(folder))
    clock = FakeClock()
    k = bootstrap(config, clock, matcher)
    now = build(k, clock).opened(6) + timedelta(minutes=1)
    k.store.db.conn.close()
    return ShopDb(config, SINCE, UNTIL, now)


def kefu_handled_db(folder: Path) -> tuple[Config, datetime]:
    """One conversation whose ticket kefu handled itself, as an automatic resend leaves it
    (bot/orders): no agent, first reply and resolution at the opening."""
    config = load_config(write_config(folder))
    store, at = open_store(config.database), WORK_TIME
    with store.transaction():
        store.messages.record(7, "in", "buyer", f"卡密没收到 {order(7)}", at)
        store.outbox.enqueue(Outgoing("user", "已自动补发", 7), at)
        store.messages.record(7, "out", "bot", "已自动补发", at)
        t = store.tickets.create({"user_id": 7, "intent": "card_not_received", "tier": "A",
                                  "promised_at": at + timedelta(minutes=20)}, at)
        store.ticket_events.add(t.id, "bot", "opened", at, tier="A")
        store.messages.attach_recent(7, t.id)
        store.tickets.update(t.id, at, stage=RESOLVED, first_reply_at=at, resolved_at=at)
    store.db.conn.close()
    return config, at
