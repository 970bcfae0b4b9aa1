"""The transcript on a real SQLite file (bot/db/messages.py): what the matcher decided."""

from __future__ import annotations

from bot.db import Store
from tests.fixtures_db import NOW


def test_a_decision_lands_on_the_buyers_latest_message_only(store: Store) -> None:
    with store.transaction():
        store.messages.record(1, "in", "buyer", "卡密怎么用", NOW)
        store.messages.record(2, "in", "buyer", "退款", NOW)  # another buyer, same moment
        store.messages.record(1, "out", "bot", "兑换码在...", NOW)
        store.messages.record(1, "in", "buyer", "讲个笑话", NOW)
        store.messages.record_decision(1, "fallback", "none")
    rows = store.db.query("SELECT user_id, text, decision, intent FROM messages ORDER BY id")
    assert [(r["text"], r["decision"], r["intent"]) for r in rows] == [
        ("卡密怎么用", None, None), ("退款", None, None), ("兑换码在...", None, None),
        ("讲个笑话", "fallback", "none")]
