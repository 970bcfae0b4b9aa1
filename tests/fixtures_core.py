"""Fixtures for the core: a real SQLite file, a fixed clock, a kefu on the test FAQ."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import door
from bot.config import load_config
from bot.events import AgentAct, ButtonPressed, BuyerCommand, BuyerEvent, BuyerSaid
from bot.kefu import Kefu, bootstrap
from bot.orders.calls import perform
from bot.records import Outgoing
from bot.staff import StaffResult
from intents.match import Matcher, load_matcher

MINI_FAQ = Path(__file__).parent / "data" / "mini_faq.yaml"
# Monday 2026-11-23 14:00 in Shanghai: inside business hours, a working day.
WORK_TIME = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = WORK_TIME) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def mini_matcher() -> Matcher:
    """The matcher over the small test FAQ, built once."""
    return load_matcher(MINI_FAQ)


@pytest.fixture
def clock() -> FakeClock:
    """A fixed clock at a working-day afternoon."""
    return FakeClock()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A kefu.yaml with two agents and thresholds that suit the test FAQ."""
    path = tmp_path / "kefu.yaml"
    path.write_text(
        f"database: {tmp_path / 'kefu.db'}\nfaq: {MINI_FAQ}\n"
        "match: {answer: 0.5, margin: 0.05, clarify: 0.2}\n"
        "agents:\n  - {id: 501, name: 小王, role: senior}\n"
        "  - {id: 502, name: 老李, role: supervisor}\n", encoding="utf-8")
    return path


@pytest.fixture
def make_kefu(config_file: Path, clock: FakeClock, mini_matcher: Matcher
              ) -> Callable[..., Kefu]:
    """Build a kefu on the temp database; call again to simulate a restart."""
    def make(**env: str) -> Kefu:
        return bootstrap(load_config(config_file, env=env), clock, mini_matcher)
    return make


@pytest.fixture
def kefu(make_kefu: Callable[..., Kefu]) -> Kefu:
    """A kefu on a fresh temp database."""
    return make_kefu()


class Buyer:
    """Drives the core as one buyer would, keeping the last replies."""

    def __init__(self, k: Kefu, user_id: int = 42, name: str = "小张") -> None:
        self.k, self.user_id, self.name = k, user_id, name
        self.last: list[Outgoing] = []

    def says(self, text: str, kind: str = "text", file_id: str | None = None) -> str:
        """Send a message; return the buyer-facing replies joined."""
        return self._run(BuyerSaid(self.user_id, text, self.name, kind, file_id))

    def presses(self, label_or_data: str) -> str:
        """Press a button offered in the last reply, by label or by data."""
        data = next((c.data for o in self.last for c in o.choices
                     if label_or_data in (c.label, c.data)), label_or_data)
        return self._run(ButtonPressed(self.user_id, data, self.name))

    def command(self, name: str, args: str = "") -> str:
        """Send /name args."""
        return self._run(BuyerCommand(self.user_id, name, args, self.name))

    def choices(self) -> list[str]:
        """Labels offered in the last buyer-facing reply."""
        mine = [o for o in self.last if o.audience == "user"]
        return [c.label for c in mine[-1].choices] if mine else []

    def _run(self, event: BuyerSaid | ButtonPressed | BuyerCommand) -> str:
        self.last = say(self.k, event)
        return "\n".join(o.text for o in self.last if o.audience == "user")


def say(k: Kefu, event: BuyerEvent) -> list[Outgoing]:
    """One buyer event through the front door, as the console does: stored, then handled."""
    return door.receive(k, event, perform)


def tick(k: Kefu) -> list[Outgoing]:
    """One timer tick through the front door: SLA steps and notice deadlines due now."""
    return list(door.run(k, door.Tick(), perform).messages)


def act(k: Kefu, action: AgentAct) -> StaffResult:
    """One staff action through the front door, the shop's calls made in between."""
    result = door.run(k, action, perform).staff
    assert result is not None
    return result


def agent(k: Kefu, agent_id: int, action: str, ticket_id: int | None = None,
          text: str = "") -> StaffResult:
    """One staff action through the core."""
    return act(k, AgentAct(agent_id, action, ticket_id, text))
