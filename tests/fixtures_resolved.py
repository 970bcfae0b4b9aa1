"""A buyer whose ticket an agent just resolved, for the rating and reopen tests."""

from __future__ import annotations

from bot.kefu import Kefu
from tests.fixtures_core import Buyer, agent

ORDER = "KM202411221530123456"


def resolved_ticket(kefu: Kefu, user_id: int = 42) -> Buyer:
    """Open ticket 1 for the buyer, then resolve it (the supervisor on duty)."""
    buyer = Buyer(kefu, user_id)
    buyer.says(f"付了钱卡密没到 {ORDER} 补发")
    agent(kefu, 502, "duty", text="on")  # the supervisor is on duty
    result = agent(kefu, 501, "resolve", 1)
    buyer.last = result.outs
    return buyer


def ticket_row(kefu: Kefu) -> dict:
    """Ticket 1 as stored."""
    return next(iter(kefu.store.db.query("SELECT * FROM tickets WHERE id = 1")))
