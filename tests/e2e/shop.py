"""Helpers for end-to-end tests of a running kefu: predicates, buttons, the database row."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from tests.e2e.kefu_process import STAFF_CHAT, KefuProcess
from tests.e2e.peer import BotApiPeer, Message

BUYER = 7001
STRANGER = 7002
ORDER = "KM202411221530123456"
OPENING = f"付了钱卡密没到 订单号:{ORDER} 帮我补发 花了五十块"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def has(text: str) -> Callable[[Message], bool]:
    """Predicate: the message's text or caption contains `text`."""
    return lambda m: text in (m.get("text") or m.get("caption") or "")


def buttons(message: Message) -> dict[str, str]:
    """Inline buttons of a message: label -> callback_data."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def rows(kefu: KefuProcess, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Read kefu's SQLite file from the test (a separate connection, closed at once)."""
    db = sqlite3.connect(kefu.config.parent / "kefu.db", timeout=30)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql, params)]
    finally:
        db.close()


def ticket_row(kefu: KefuProcess) -> dict[str, Any]:
    """The first ticket as stored in kefu's SQLite file."""
    return rows(kefu, "SELECT * FROM tickets ORDER BY id LIMIT 1")[0]


def open_ticket(peer: BotApiPeer) -> tuple[Message, Message]:
    """The buyer states everything at once; returns kefu's confirmation and the staff card."""
    peer.send_text(BUYER, BUYER, OPENING)
    confirmation = peer.wait_for_bot_message(BUYER, has("已受理"), timeout=15)
    card = peer.wait_for_bot_message(STAFF_CHAT, lambda m: bool(buttons(m)), timeout=15)
    return confirmation, card


def wait_until(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    """Poll `condition` until it returns something truthy; TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)
