"""Bursts: events stored on arrival, merged into one turn, replayed once after a crash."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import pytest

from bot import conversation, inbox, replies
from bot.events import ButtonPressed, BuyerCommand, BuyerSaid
from bot.kefu import Kefu
from handlers.telegram_runtime import Runtime

ORDER = "KM202411221530123456"
UID = 42


def said(text: str, kind: str = "text", file_id: str | None = None,
         event_id: str | None = None) -> BuyerSaid:
    return BuyerSaid(UID, text, "小张", kind, file_id, event_id)


def tickets(k: Kefu) -> list[dict]:
    return list(k.store.db.query("SELECT * FROM tickets ORDER BY id"))


def buyer_texts(outs: list) -> list[str]:
    return [o.text for o in outs if o.audience == "user"]


def test_three_quick_messages_are_one_intake_turn(kefu: Kefu) -> None:
    for text in ("付了钱卡密没到", f"订单号 {ORDER}", "帮我补发 急用"):
        inbox.receive_all(kefu, [said(text)])
    outs = inbox.take_turns(kefu, UID).outs
    [ticket] = tickets(kefu)
    assert (ticket["order_no"], ticket["demand"]) == (ORDER, "补发")
    texts = "\n".join(buyer_texts(outs))
    assert "工单 #T1001 已受理" in texts
    assert "订单号" not in texts.split("已受理")[0].split("\n")[-1]  # nothing asked again
    assert not any("怎么处理" in t for t in buyer_texts(outs))
    # every message is kept, one by one, even though they were one turn
    ins = [r["text"] for r in kefu.store.db.query(
        "SELECT text FROM messages WHERE direction = 'in' ORDER BY id")]
    assert ins == ["付了钱卡密没到", f"订单号 {ORDER}", "帮我补发 急用"]
    assert inbox.take_turns(kefu, UID).outs == []  # nothing left to handle


def test_an_album_is_kept_whole_and_answered_once(kefu: Kefu) -> None:
    inbox.receive_all(kefu, [said(f"卡密没收到 {ORDER} 补发")])
    inbox.take_turns(kefu, UID)
    for n in range(3):
        inbox.receive_all(kefu, [said("" if n else "截图在这", "photo", f"file-{n}")])
    outs = inbox.take_turns(kefu, UID).outs
    [ticket] = tickets(kefu)
    assert len(conversation_evidence(kefu, ticket["id"])) == 3
    staff_files = [o.file_id for o in outs if o.audience == "staff" and o.file_id]
    assert staff_files == ["file-0", "file-1", "file-2"]
    assert len(buyer_texts(outs)) == 1  # one acknowledgement for the album


def conversation_evidence(k: Kefu, ticket_id: int) -> list[dict]:
    ticket = k.store.tickets.get(ticket_id)
    assert ticket is not None
    return ticket.details.get("evidence", [])


def test_screenshots_before_the_words_stay_with_the_ticket(kefu: Kefu) -> None:
    inbox.receive_all(kefu, [said("", "photo", "shot-1")])
    inbox.receive_all(kefu, [said(f"卡密没收到 {ORDER} 帮我补发")])
    inbox.take_turns(kefu, UID)
    [ticket] = tickets(kefu)
    assert [e["file_id"] for e in conversation_evidence(kefu, ticket["id"])] == ["shot-1"]


def test_buttons_and_commands_keep_their_place(kefu: Kefu) -> None:
    rows = [said("卡密怎么用"), ButtonPressed(UID, "solved", "小张"),
            BuyerCommand(UID, "status", "", "小张"), said("你好"), said("在吗")]
    for event in rows:
        inbox.receive_all(kefu, [event])
    kinds = [type(event).__name__ for _, event in inbox.turns(kefu.store.inbox.pending(UID))]
    assert kinds == ["BuyerSaid", "ButtonPressed", "BuyerCommand", "BuyerBurst"]


def test_a_redelivered_update_inside_a_burst_is_handled_once(kefu: Kefu) -> None:
    inbox.receive_all(kefu, [said("付了钱卡密没到", event_id="tg:1")])
    inbox.take_turns(kefu, UID)
    inbox.receive_all(kefu, [said("付了钱卡密没到", event_id="tg:1")])  # Telegram sent it again
    assert inbox.take_turns(kefu, UID).outs == []
    inbox.receive_all(kefu, [said("付了钱卡密没到", event_id="tg:1")])
    inbox.receive_all(kefu, [said(ORDER, event_id="tg:2")])
    outs = inbox.take_turns(kefu, UID).outs
    assert any("怎么处理" in t or "已受理" in t for t in buyer_texts(outs))
    ins = kefu.store.db.execute("SELECT count(*) FROM messages WHERE direction = 'in'")
    assert ins.fetchone()[0] == 2


def test_events_received_before_a_crash_are_handled_after_restart(
        make_kefu: Callable[..., Kefu]) -> None:
    first = make_kefu()
    inbox.receive_all(first, [said(f"卡密没收到 {ORDER} 补发")])
    # the process dies here: stored, never handled
    second = make_kefu()
    assert inbox.waiting_users(second) == [UID]
    inbox.take_turns(second, UID)
    assert len(tickets(second)) == 1
    assert inbox.waiting_users(second) == []
    assert inbox.take_turns(second, UID).outs == []  # once, not twice
    assert len(tickets(second)) == 1


def test_a_turn_that_fails_keeps_the_words_and_says_so(
        kefu: Kefu, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox.receive_all(kefu, [said(f"卡密没收到 {ORDER} 补发")])
    inbox.take_turns(kefu, UID)
    real = conversation._dispatch

    def broken(k, conv, event, now):  # type: ignore[no-untyped-def]
        if getattr(event, "text", "") == "炸了":
            raise RuntimeError("bug")
        return real(k, conv, event, now)

    monkeypatch.setattr(conversation, "_dispatch", broken)
    inbox.receive_all(kefu, [ButtonPressed(UID, "status", "小张")])
    inbox.receive_all(kefu, [said("炸了")])
    inbox.receive_all(kefu, [ButtonPressed(UID, "status", "小张")])
    outs = inbox.take_turns(kefu, UID).outs
    assert replies.TURN_FAILED in buyer_texts(outs)
    assert any("炸了" in o.text for o in outs if o.audience == "staff")
    assert len(buyer_texts(outs)) == 3  # the events after the bad one were still handled
    kept = kefu.store.db.execute("SELECT count(*) FROM messages WHERE text = '炸了'")
    assert kept.fetchone()[0] == 1
    assert inbox.waiting_users(kefu) == []


async def _handled(runtime: Runtime, kefu: Kefu) -> None:
    """Store what the runtime took (as polling does before confirming), wait for the turns."""
    await runtime.settle()
    for _ in range(100):
        if not runtime.workers and not inbox.waiting_users(kefu):
            return
        await asyncio.sleep(0.05)


def buyer_outbox(kefu: Kefu) -> list[str]:
    return [r["text"] for r in kefu.store.db.query(
        "SELECT text FROM outbox WHERE audience = 'user' ORDER BY id")]


@pytest.mark.parametrize("text_first", [True, False], ids=["text-then-album", "one-batch"])
def test_runtime_gathers_an_album_into_one_turn(kefu: Kefu, text_first: bool) -> None:
    async def scenario() -> None:
        runtime = Runtime(kefu, None, burst_window=0.2)
        await runtime.buyer(said(f"卡密没收到 {ORDER} 补发"))
        if text_first:  # handled before the album arrives
            await _handled(runtime, kefu)
        for n in range(3):
            await runtime.buyer(said("", "photo", f"p{n}"), gather=True)
        await _handled(runtime, kefu)
        runtime.executor.shutdown(wait=True)

    asyncio.run(scenario())
    [ticket] = tickets(kefu)
    assert len(conversation_evidence(kefu, ticket["id"])) == 3
    outs = buyer_outbox(kefu)
    assert sum("已受理 (" in t for t in outs) == 1
    # One reply for the album; stored in one batch with the text, it is in the receipt.
    assert sum(t.startswith("已补充到工单") for t in outs) == (1 if text_first else 0)


def test_updates_that_arrive_together_are_stored_in_one_write(kefu: Kefu) -> None:
    statements: list[str] = []

    async def scenario() -> None:
        runtime = Runtime(kefu, None, burst_window=0.0)
        kefu.store.db.conn.set_trace_callback(statements.append)
        for n in range(5):  # one getUpdates batch: five buyers at once
            await runtime.buyer(BuyerSaid(100 + n, "你好", f"买家{n}", event_id=f"tg:{n}"))
        assert kefu.store.inbox.users() == []  # taken, not yet stored
        await runtime.settle()
        await _handled(runtime, kefu)
        kefu.store.db.conn.set_trace_callback(None)
        runtime.executor.shutdown(wait=True)

    asyncio.run(scenario())
    transactions: list[list[str]] = []
    for sql in statements:
        if sql.startswith("BEGIN"):
            transactions.append([])
        elif transactions:
            transactions[-1].append(sql)
    stored = [sum(sql.startswith("INSERT INTO inbox") for sql in t) for t in transactions]
    assert [n for n in stored if n] == [5]  # one transaction, one sync to disk, for all five
    assert len(transactions) == 1 + 5  # then each buyer's turn in its own
    greeted = kefu.store.db.execute(
        "SELECT count(DISTINCT user_id) FROM outbox WHERE audience = 'user'").fetchone()[0]
    assert greeted == 5 and inbox.waiting_users(kefu) == []


def test_updates_that_cannot_be_stored_are_answered_and_kept_nowhere(
        kefu: Kefu, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[int] = []

    def refuse(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    async def scenario() -> None:
        runtime = Runtime(kefu, None, burst_window=0.0)

        async def sorry(user_id: int, _reply: object) -> None:
            told.append(user_id)

        monkeypatch.setattr(runtime, "say_sorry", sorry)
        monkeypatch.setattr(inbox, "receive_all", refuse)
        for user_id in (1, 2, 1):
            await runtime.buyer(BuyerSaid(user_id, "在吗", "买家"))
        await runtime.settle()
        runtime.executor.shutdown(wait=True)
        assert not runtime.workers  # nothing stored, so no turn to take

    asyncio.run(scenario())
    assert told == [1, 2]  # each buyer once, asked to send it again


def test_one_event_that_cannot_be_stored_sinks_only_itself(
        kefu: Kefu, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[int] = []

    async def scenario() -> None:
        runtime = Runtime(kefu, None, burst_window=0.0)

        async def sorry(user_id: int, _reply: object) -> None:
            told.append(user_id)

        monkeypatch.setattr(runtime, "say_sorry", sorry)
        for user_id, text in ((1, "在吗"), (2, "坏字\ud800"), (3, "卡密没到")):
            await runtime.buyer(BuyerSaid(user_id, text, "买家"))  # one batch: none stored yet
        await runtime.settle()
        for task in list(runtime.workers.values()):
            await task
        runtime.executor.shutdown(wait=True)

    asyncio.run(scenario())
    assert told == [2]  # only the buyer whose message could not be kept is asked again
    greeted = {r[0] for r in kefu.store.db.execute(
        "SELECT DISTINCT user_id FROM outbox WHERE audience = 'user'")}
    assert greeted == {1, 3}
