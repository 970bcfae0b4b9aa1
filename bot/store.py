"""The one module that talks to SQLite.

Writes go through plain SQL inside `transaction()` so that a change and the
messages it causes land together or not at all; sqlite-utils' own writers
commit on their own, so they are only used for reads here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.records import (
    FINAL_STAGES,
    TIER_RANK,
    AgentRecord,
    Choice,
    Conversation,
    Notice,
    Outgoing,
    Ticket,
    parse_time,
    ticket_number,
)
from bot.schema import migrate

BUSY_TIMEOUT_MS = 10_000  # a report or a second console may hold the write lock for a while
# In WAL mode NORMAL survives a killed process; a power cut may lose the last commits, but
# always a tail, never a middle. What kefu received is committed durably (FULL, which also
# syncs every commit before it): its turns and delivery notes are then redone, at worst a
# reply sent twice, and an fsync per reply and per delivery is saved.
SYNCHRONOUS = "NORMAL"


def _iso(t: datetime) -> str:
    # Always UTC in the file, so text comparisons in SQL order times correctly.
    return t.astimezone(UTC).isoformat()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# faults: the database refusing writes -----------------------------------------
UNWRITABLE = ("locked", "busy", "full", "readonly", "read-only", "disk i/o", "unable to open")


def unwritable(exc: BaseException) -> bool:
    """The database refused for a while (disk full, read-only, locked past the busy timeout),
    as opposed to a bug in a query: waiting and trying again can help."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in UNWRITABLE)


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database in WAL mode and migrate it."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    db = Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    migrate(db)
    return db


@dataclass(frozen=True)
class Store:
    """Named reads and writes over one database."""

    db: Database

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[None]:
        """One atomic unit of work; IMMEDIATE so two writers queue instead of deadlocking.

        `durable`: on disk (fsync) when this returns, for what kefu confirms having received
        (a buyer's or an agent's message); see open_db. Inside another transaction, the
        outer one decides.
        """
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        if durable:
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            # A full disk or an I/O error may have rolled back already (a second ROLLBACK
            # would hide the real error); a failed COMMIT may not have, and a connection left
            # in a transaction would swallow every later write.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            if durable:
                conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
        return int(cur.lastrowid or 0)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts. Not sqlite-utils' query(): it wraps every read in a savepoint of its
        own, two more statements for each of the dozen reads of a buyer's turn."""
        cursor = self.db.execute(sql, list(params))
        keys = [column[0] for column in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor]

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        rows = self._query(sql, params)
        return rows[0] if rows else None

    def first_time(self, event_id: str, now: datetime) -> bool:
        """Record an event id; False when it was handled before (a re-delivery)."""
        cur = self.db.execute("INSERT OR IGNORE INTO seen_events (id, at) VALUES (?, ?)",
                              [event_id, _iso(now)])
        return cur.rowcount == 1

    # inbox (buyer events written before they are handled) ----------------------
    def inbox_add(self, user_id: int, event: dict[str, Any], now: datetime) -> int:
        """Keep a received event until a turn handles it."""
        return self._insert("inbox", {"user_id": user_id, "at": _iso(now),
                                      "event": _dumps(event)})

    def inbox_pending(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """Unhandled events (of one buyer, or all), oldest first."""
        where, params = ("WHERE user_id = ?", [user_id]) if user_id is not None else ("", [])
        return [dict(r, event=json.loads(r["event"]))
                for r in self._query(f"SELECT * FROM inbox {where} ORDER BY id", params)]

    def inbox_users(self) -> list[int]:
        """Buyers with events waiting, without reading the events."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT user_id FROM inbox ORDER BY user_id").fetchall()]

    def inbox_done(self, ids: list[int]) -> None:
        """Drop handled events (inside the turn's transaction; `messages` keeps the text)."""
        marks = ", ".join("?" for _ in ids)
        self.db.execute(f"DELETE FROM inbox WHERE id IN ({marks})", ids)

    # users -----------------------------------------------------------------
    def ensure_user(self, user_id: int, name: str, now: datetime) -> None:
        """Remember a buyer the first time they write."""
        self.db.execute("INSERT OR IGNORE INTO users (id, name, first_seen) VALUES (?, ?, ?)",
                        [user_id, name, _iso(now)])

    # conversations -----------------------------------------------------------
    def conversation(self, user_id: int) -> Conversation:
        """The buyer's current flow state (idle when none is stored)."""
        row = self._one("SELECT * FROM conversations WHERE user_id = ?", [user_id])
        return Conversation.from_row(row) if row else Conversation(user_id)

    def save_conversation(self, conv: Conversation, now: datetime) -> None:
        """Persist the flow state so a restart resumes at the same step."""
        offered = [{"label": c.label, "data": c.data} for c in conv.offered]
        self.db.execute(
            "INSERT OR REPLACE INTO conversations "
            "(user_id, step, intent, details, offered, ticket_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [conv.user_id, conv.step, conv.intent, _dumps(conv.details), _dumps(offered),
             conv.ticket_id, _iso(now)])

    # tickets -------------------------------------------------------------------
    def create_ticket(self, fields: dict[str, Any], now: datetime) -> Ticket:
        """Insert a ticket and give it its never-reused number."""
        row = dict(fields, details=_dumps(fields.get("details", {})), created_at=_iso(now),
                   updated_at=_iso(now), stage="受理", owner="bot")
        row["promised_at"] = _iso(row["promised_at"]) if row.get("promised_at") else None
        ticket_id = self._insert("tickets", row)
        self.db.execute("UPDATE tickets SET number = ? WHERE id = ?",
                        [ticket_number(ticket_id), ticket_id])
        return self.ticket(ticket_id)  # type: ignore[return-value]

    def ticket(self, ticket_id: int) -> Ticket | None:
        """A ticket by id (none for ids SQLite cannot hold, as forged button data may carry)."""
        if not -(2**63) <= ticket_id < 2**63:
            return None
        row = self._one("SELECT * FROM tickets WHERE id = ?", [ticket_id])
        return Ticket.from_row(row) if row else None

    def ticket_by_number(self, number: str) -> Ticket | None:
        """A ticket by its visible number (T1024), case-insensitive."""
        row = self._one("SELECT * FROM tickets WHERE number = ?", [number.strip().upper()])
        return Ticket.from_row(row) if row else None

    def open_ticket_of(self, user_id: int) -> Ticket | None:
        """The buyer's most recent open ticket."""
        marks = ", ".join("?" for _ in FINAL_STAGES)
        row = self._one(f"SELECT * FROM tickets WHERE user_id = ? AND stage NOT IN ({marks}) "
                        "ORDER BY id DESC LIMIT 1", [user_id, *FINAL_STAGES])
        return Ticket.from_row(row) if row else None

    def tickets_of(self, user_id: int, limit: int = 5) -> list[Ticket]:
        """The buyer's latest tickets, newest first."""
        rows = self._query("SELECT * FROM tickets WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                             [user_id, limit])
        return [Ticket.from_row(r) for r in rows]

    def open_tickets(self) -> list[Ticket]:
        """Every open ticket, most urgent tier first, oldest first within a tier."""
        marks = ", ".join("?" for _ in FINAL_STAGES)
        rows = self._query(f"SELECT * FROM tickets WHERE stage NOT IN ({marks}) "
                             "ORDER BY CASE tier WHEN 'S' THEN 0 WHEN 'A' THEN 1 ELSE 2 END, id",
                             list(FINAL_STAGES))
        return [Ticket.from_row(r) for r in rows]

    def update_ticket(self, ticket_id: int, now: datetime, **fields: Any) -> None:
        """Change ticket columns (datetimes and dicts are serialised)."""
        fields = {k: _iso(v) if isinstance(v, datetime) else
                  (_dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
        fields["updated_at"] = _iso(now)
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE tickets SET {sets} WHERE id = ?", [*fields.values(), ticket_id])

    def claim(self, ticket_id: int, agent_id: int, now: datetime) -> bool:
        """Give an unclaimed open ticket to an agent; False if someone was first."""
        marks = ", ".join("?" for _ in FINAL_STAGES)
        cur = self.db.execute(
            f"UPDATE tickets SET agent_id = ?, owner = 'agent', claimed_at = ?, updated_at = ? "
            f"WHERE id = ? AND agent_id IS NULL AND stage NOT IN ({marks})",
            [agent_id, _iso(now), _iso(now), ticket_id, *FINAL_STAGES])
        return cur.rowcount == 1

    def add_event(self, ticket_id: int, actor: str, event: str, now: datetime,
                  **data: Any) -> None:
        """Record one change to a ticket: who, what, when."""
        self._insert("ticket_events", {"ticket_id": ticket_id, "at": _iso(now), "actor": actor,
                                       "event": event, "data": _dumps(data)})

    def events(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's history, oldest first."""
        return list(self._query("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id",
                                  [ticket_id]))

    def count_events(self, ticket_id: int, event: str, since: datetime | None = None) -> int:
        """How many times an event happened to a ticket (since a time)."""
        sql = "SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND event = ?"
        params: list[Any] = [ticket_id, event]
        if since is not None:
            sql += " AND at >= ?"
            params.append(_iso(since))
        return int(self.db.execute(sql, params).fetchone()[0])

    def open_ticket_by_order(self, order_no: str) -> Ticket | None:
        """The open ticket about this order number, whoever opened it."""
        marks = ", ".join("?" for _ in FINAL_STAGES)
        row = self._one(f"SELECT * FROM tickets WHERE order_no = ? AND stage NOT IN ({marks}) "
                        "ORDER BY id LIMIT 1", [order_no, *FINAL_STAGES])
        return Ticket.from_row(row) if row else None

    def waiting_ahead(self, tier: str, before: datetime | None = None) -> int:
        """Open tickets of this or a more urgent tier still waiting for a first reply."""
        tiers = [t for t, rank in TIER_RANK.items() if rank <= TIER_RANK.get(tier, 2)]
        marks = ", ".join("?" for _ in tiers)
        finals = ", ".join("?" for _ in FINAL_STAGES)
        sql = (f"SELECT count(*) FROM tickets WHERE first_reply_at IS NULL AND tier IN ({marks}) "
               f"AND stage NOT IN ({finals})")
        params: list[Any] = [*tiers, *FINAL_STAGES]
        if before is not None:
            sql += " AND created_at < ?"
            params.append(_iso(before))
        return int(self.db.execute(sql, params).fetchone()[0])

    def waiting_in(self, tier: str, before: datetime) -> int:
        """Open tickets of exactly this tier, opened before a time, still without a reply."""
        finals = ", ".join("?" for _ in FINAL_STAGES)
        return int(self.db.execute(
            f"SELECT count(*) FROM tickets WHERE first_reply_at IS NULL AND tier = ? "
            f"AND stage NOT IN ({finals}) AND created_at < ?",
            [tier, *FINAL_STAGES, _iso(before)]).fetchone()[0])

    def opened_since(self, tiers: list[str], since: datetime) -> int:
        """Tickets now in these tiers that were opened since a time."""
        marks = ", ".join("?" for _ in tiers)
        return int(self.db.execute(
            f"SELECT count(*) FROM tickets WHERE tier IN ({marks}) AND created_at >= ?",
            [*tiers, _iso(since)]).fetchone()[0]) if tiers else 0

    def agents_busy(self) -> int:
        """On-duty agents working an open ticket (not one waiting on the buyer in 反馈)."""
        return int(self.db.execute(
            "SELECT count(DISTINCT t.agent_id) FROM tickets t JOIN agents a ON a.id = t.agent_id "
            "WHERE a.on_duty = 1 AND t.stage IN ('受理', '核实', '处理')").fetchone()[0])

    def recent_handle_times(self, limit: int) -> list[float]:
        """Seconds agents spent on the latest resolved tickets (claim to resolve)."""
        rows = self._query("SELECT claimed_at, resolved_at FROM tickets WHERE claimed_at "
                             "IS NOT NULL AND resolved_at IS NOT NULL ORDER BY id DESC LIMIT ?",
                             [limit])
        return [(datetime.fromisoformat(r["resolved_at"])
                 - datetime.fromisoformat(r["claimed_at"])).total_seconds() for r in rows]

    # messages ------------------------------------------------------------------
    def record_message(self, user_id: int, direction: str, sender: str, text: str,
                       now: datetime, ticket_id: int | None = None, kind: str = "text",
                       **meta: Any) -> int:
        """Keep every message in or out, both sides, forever."""
        return self._insert("messages", {
            "at": _iso(now), "user_id": user_id, "ticket_id": ticket_id,
            "direction": direction, "sender": sender, "kind": kind, "text": text,
            "meta": _dumps(meta)})

    def record_decision(self, user_id: int, decision: str, intent: str | None) -> None:
        """Note what the matcher decided on the buyer's latest message: this turn's, as the
        turn records the message first and holds the write transaction until it commits."""
        self.db.execute(
            "UPDATE messages SET decision = ?, intent = ? WHERE id = (SELECT max(id) FROM "
            "messages WHERE user_id = ? AND direction = 'in')", [decision, intent, user_id])

    def attach_recent_messages(self, user_id: int, ticket_id: int) -> None:
        """Link the buyer's messages since their last ticket to this new one."""
        self.db.execute("UPDATE messages SET ticket_id = ? "
                        "WHERE user_id = ? AND ticket_id IS NULL", [ticket_id, user_id])

    def user_name(self, user_id: int) -> str:
        """A buyer's display name, or their id."""
        row = self._one("SELECT name FROM users WHERE id = ?", [user_id])
        return (row or {}).get("name") or str(user_id)

    def buyer_words(self, ticket_id: int) -> list[str]:
        """What the buyer wrote that belongs to a ticket, oldest first."""
        return [r["text"] for r in self._query(
            "SELECT text FROM messages WHERE ticket_id = ? AND direction = 'in' "
            "AND kind = 'text' ORDER BY id", [ticket_id])]

    def transcript(self, user_id: int, limit: int = 30) -> list[dict[str, Any]]:
        """The buyer's latest messages, oldest first."""
        rows = list(self._query("SELECT * FROM messages WHERE user_id = ? "
                                  "ORDER BY id DESC LIMIT ?", [user_id, limit]))
        return rows[::-1]

    # agents --------------------------------------------------------------------
    def upsert_agent(self, agent_id: int, name: str, role: str, now: datetime) -> None:
        """Add an agent or refresh their name and role, keeping their duty state."""
        self.db.execute(
            "INSERT INTO agents (id, name, role, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role",
            [agent_id, name, role, _iso(now)])

    def agent(self, agent_id: int) -> AgentRecord | None:
        """An agent by id."""
        row = self._one("SELECT * FROM agents WHERE id = ?", [agent_id])
        return AgentRecord(row["id"], row["name"], row["role"], bool(row["on_duty"])) \
            if row else None

    def set_duty(self, agent_id: int, on: bool, now: datetime) -> None:
        """Mark an agent on or off duty (feeds the ETA)."""
        self.db.execute("UPDATE agents SET on_duty = ?, updated_at = ? WHERE id = ?",
                        [int(on), _iso(now), agent_id])

    def agents_on_duty(self) -> list[AgentRecord]:
        """Agents currently on duty."""
        rows = self._query("SELECT * FROM agents WHERE on_duty = 1 ORDER BY id")
        return [AgentRecord(r["id"], r["name"], r["role"], True) for r in rows]

    # outbox --------------------------------------------------------------------
    def enqueue(self, out: Outgoing, now: datetime) -> int:
        """Record a message to deliver; the sender delivers it later, once."""
        choices = [{"label": c.label, "data": c.data} for c in out.choices]
        return self._insert("outbox", {
            "at": _iso(now), "audience": out.audience, "user_id": out.user_id,
            "ticket_id": out.ticket_id, "kind": out.kind, "text": out.text,
            "choices": _dumps(choices), "file_id": out.file_id})

    def pending(self, audience: str | None = None, user_id: int | None = None,
                limit: int = 100) -> list[Outgoing]:
        """Undelivered messages (for an audience, or one buyer), oldest first."""
        sql = ("SELECT * FROM outbox WHERE delivered_at IS NULL "
               "AND audience = coalesce(?, audience)")
        params: list[Any] = [audience]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        rows = self._query(sql + " ORDER BY id LIMIT ?", [*params, limit])
        return [_outgoing(r) for r in rows]

    def mark_delivered(self, outbox_id: int, now: datetime) -> None:
        """The message reached its chat."""
        self.db.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", [_iso(now), outbox_id])

    def mark_failed(self, outbox_id: int, error: str) -> None:
        """A delivery attempt failed; it stays pending."""
        self.db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                        [error[:500], outbox_id])

    # faults (delivery one chat at a time, so a stuck chat holds up no other) ----
    def pending_in(self, audience: str, owner: int | None, limit: int = 50) -> list[Outgoing]:
        """Undelivered messages of one chat, oldest first: a buyer's (owner = user id) or a
        ticket's staff thread (owner = ticket id; None = staff messages about no ticket)."""
        column = "user_id" if audience == "user" else "ticket_id"
        rows = self._query(f"SELECT * FROM outbox WHERE delivered_at IS NULL AND audience = ? "
                             f"AND {column} IS ? ORDER BY id LIMIT ?", [audience, owner, limit])
        return [_outgoing(r) for r in rows]

    def delivered_then_pending(self, outbox_ids: Sequence[int], now: datetime,
                               chat: tuple[str, int | None] | None = None) -> list[Outgoing]:
        """Mark messages delivered (sent together as one); given their chat (audience,
        owner), return what waits there next: one trip to the database per send, not two."""
        marks = ", ".join("?" for _ in outbox_ids)
        self.db.execute(f"UPDATE outbox SET delivered_at = ? WHERE id IN ({marks})",
                        [_iso(now), *outbox_ids])
        return self.pending_in(*chat) if chat else []

    # outbox lanes (the Telegram sender opens one lane per chat with mail) ------
    def pending_chats(self, audience: str) -> list[int | None]:
        """Chats with undelivered messages, longest waiting first: user ids for buyers,
        ticket ids (None: about no ticket) for staff. Owners as `pending_in` takes them."""
        column = "user_id" if audience == "user" else "ticket_id"
        rows = self.db.execute(f"SELECT {column} FROM outbox WHERE delivered_at IS NULL "
                               f"AND audience = ? GROUP BY {column} ORDER BY min(id)",
                               [audience]).fetchall()
        return [r[0] for r in rows]


    # staff threads (where a ticket lives in the staff chat) ---------------------
    def staff_thread(self, ticket_id: int) -> dict[str, Any] | None:
        """The staff-chat topic / card of a ticket, if one was made."""
        return self._one("SELECT * FROM staff_threads WHERE ticket_id = ?", [ticket_id])

    def save_staff_thread(self, ticket_id: int, chat_id: int, thread_id: int | None,
                          card_message_id: int | None) -> None:
        """Remember (or replace) where a ticket lives in the staff chat."""
        self.db.execute("INSERT OR REPLACE INTO staff_threads VALUES (?, ?, ?, ?)",
                        [ticket_id, chat_id, thread_id, card_message_id])

    def ticket_in_thread(self, chat_id: int, thread_id: int) -> int | None:
        """The ticket a forum topic belongs to."""
        row = self._one("SELECT ticket_id FROM staff_threads WHERE chat_id = ? AND thread_id = ?",
                        [chat_id, thread_id])
        return row["ticket_id"] if row else None

    def remember_staff_message(self, chat_id: int, message_id: int, ticket_id: int) -> None:
        """Note which ticket a staff-chat message is about, so replies to it find the ticket."""
        self.db.execute("INSERT OR REPLACE INTO staff_messages VALUES (?, ?, ?)",
                        [chat_id, message_id, ticket_id])

    def ticket_of_staff_message(self, chat_id: int, message_id: int) -> int | None:
        """The ticket a staff-chat message was about."""
        row = self._one("SELECT ticket_id FROM staff_messages WHERE chat_id = ? AND "
                        "message_id = ?", [chat_id, message_id])
        return row["ticket_id"] if row else None

    # channel notices ------------------------------------------------------------
    def notice_start(self, channel: str, text: str, until: datetime, agent_id: int,
                     now: datetime) -> tuple[Notice, bool]:
        """Post a notice, or update the channel's active one; True when it is new."""
        current = self.active_notice(channel)
        if current:
            self.db.execute("UPDATE notices SET text = ?, until = ?, staff_asked_at = NULL "
                            "WHERE id = ?", [text, _iso(until), current.id])
            return self.notice(current.id), False  # type: ignore[return-value]
        new_id = self._insert("notices", {"channel": channel, "text": text,
                                          "started_at": _iso(now), "until": _iso(until),
                                          "started_by": agent_id})
        return self.notice(new_id), True  # type: ignore[return-value]

    def notice(self, notice_id: int) -> Notice | None:
        """One notice by id."""
        row = self._one("SELECT * FROM notices WHERE id = ?", [notice_id])
        return _notice(row) if row else None

    def active_notice(self, channel: str) -> Notice | None:
        """The channel's notice that has not ended."""
        row = self._one("SELECT * FROM notices WHERE ended_at IS NULL AND channel = ?",
                        [channel])
        return _notice(row) if row else None

    def active_notices(self) -> list[Notice]:
        """Every notice that has not ended, oldest first."""
        return [_notice(r) for r in self._query(
            "SELECT * FROM notices WHERE ended_at IS NULL ORDER BY id")]

    def notice_mark(self, notice_id: int, now: datetime, field: str) -> None:
        """Set ended_at or staff_asked_at."""
        assert field in ("ended_at", "staff_asked_at")
        self.db.execute(f"UPDATE notices SET {field} = ? WHERE id = ?", [_iso(now), notice_id])

    def notice_add_buyer(self, notice_id: int, user_id: int, now: datetime) -> None:
        """Remember a buyer who must hear the all-clear."""
        self.db.execute("INSERT OR IGNORE INTO notice_buyers (notice_id, user_id, at) "
                        "VALUES (?, ?, ?)", [notice_id, user_id, _iso(now)])

    def notice_untold(self, notice_id: int, now: datetime) -> list[int]:
        """Buyers not yet told the channel recovered; marks them told."""
        users = [r["user_id"] for r in self._query(
            "SELECT user_id FROM notice_buyers WHERE notice_id = ? AND told_at IS NULL "
            "ORDER BY at", [notice_id])]
        self.db.execute("UPDATE notice_buyers SET told_at = ? WHERE notice_id = ? "
                        "AND told_at IS NULL", [_iso(now), notice_id])
        return users

    # orders (the shop's orders, kefu's lookups and automatic remedies) -----------
    def order_row(self, order_no: str) -> dict[str, Any] | None:
        """A row of the `orders` table (order numbers compare case-insensitively)."""
        return self._one("SELECT * FROM orders WHERE order_no = ? COLLATE NOCASE", [order_no])

    def upsert_orders(self, rows: list[dict[str, Any]], now: datetime) -> int:
        """Insert orders or replace them by order number; returns how many were written."""
        for row in rows:
            row = {**row, "updated_at": _iso(now)}
            cols, marks = ", ".join(row), ", ".join("?" for _ in row)
            sets = ", ".join(f"{c} = excluded.{c}" for c in row if c != "order_no")
            self.db.execute(f"INSERT INTO orders ({cols}) VALUES ({marks}) "
                            f"ON CONFLICT(order_no) DO UPDATE SET {sets}", list(row.values()))
        return len(rows)

    def record_order_check(self, user_id: int, order_no: str, intent: str | None,
                           status: str | None, outcome: str, now: datetime) -> None:
        """Log one lookup a buyer caused and what kefu decided."""
        self._insert("order_checks", {"at": _iso(now), "user_id": user_id, "order_no": order_no,
                                      "intent": intent, "status": status, "outcome": outcome})

    def order_claims(self, user_id: int, intents: tuple[str, ...], since: datetime,
                     other_than: str = "") -> int:
        """Distinct orders (but one) this buyer reported with one of these intents since a time."""
        marks = ", ".join("?" for _ in intents)
        return int(self.db.execute(
            f"SELECT count(DISTINCT order_no) FROM order_checks WHERE user_id = ? "
            f"AND intent IN ({marks}) AND at >= ? AND order_no != ? COLLATE NOCASE",
            [user_id, *intents, _iso(since), other_than]).fetchone()[0])

    def events_since(self, events: tuple[str, ...], since: datetime) -> int:
        """How many of these ticket events happened since a time, over all tickets."""
        marks = ", ".join("?" for _ in events)
        return int(self.db.execute(
            f"SELECT count(*) FROM ticket_events WHERE event IN ({marks}) AND at >= ?",
            [*events, _iso(since)]).fetchone()[0])

    def ticket_with_event(self, order_no: str, events: tuple[str, ...]) -> Ticket | None:
        """The latest ticket about this order that had one of these events."""
        marks = ", ".join("?" for _ in events)
        row = self._one(f"SELECT t.* FROM tickets t WHERE t.order_no = ? AND EXISTS (SELECT 1 "
                        f"FROM ticket_events e WHERE e.ticket_id = t.id AND e.event IN "
                        f"({marks})) ORDER BY t.id DESC LIMIT 1", [order_no, *events])
        return Ticket.from_row(row) if row else None

    def open_tickets_refunding(self, states: tuple[str, ...], limit: int) -> list[Ticket]:
        """Open tickets whose refund is in one of these states, oldest first."""
        marks = ", ".join("?" for _ in states)
        finals = ", ".join("?" for _ in FINAL_STAGES)
        rows = self._query(f"SELECT * FROM tickets WHERE stage NOT IN ({finals}) AND "
                             f"json_extract(details, '$.refund.state') IN ({marks}) "
                             f"ORDER BY id LIMIT ?", [*FINAL_STAGES, *states, limit])
        return [Ticket.from_row(r) for r in rows]

    # guard (flood limit, blocked buyers) ----------------------------------------
    def known_user(self, user_id: int) -> bool:
        """Whether this buyer has ever written."""
        return self._one("SELECT id FROM users WHERE id = ?", [user_id]) is not None

    def is_blocked(self, user_id: int) -> bool:
        """Whether staff blocked this buyer."""
        row = self._one("SELECT blocked FROM users WHERE id = ?", [user_id])
        return bool(row and row["blocked"])

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Block or unblock a buyer (the caller records who and why as a user event)."""
        self.db.execute("UPDATE users SET blocked = ? WHERE id = ?", [int(blocked), user_id])

    def add_user_event(self, user_id: int, actor: str, event: str, now: datetime,
                       **data: Any) -> None:
        """Record something that happened to a buyer rather than to a ticket."""
        self._insert("user_events", {"user_id": user_id, "at": _iso(now), "actor": actor,
                                     "event": event, "data": _dumps(data)})

    def last_user_event(self, user_id: int, event: str) -> datetime | None:
        """When this event last happened to the buyer."""
        row = self._one("SELECT max(at) AS at FROM user_events WHERE user_id = ? AND event = ?",
                        [user_id, event])
        return parse_time(row["at"]) if row else None

    def latest_user_event(self, user_id: int, *events: str) -> str | None:
        """Which of these events happened to the buyer last."""
        marks = ", ".join("?" for _ in events)
        row = self._one(f"SELECT event FROM user_events WHERE user_id = ? AND event IN ({marks}) "
                        "ORDER BY id DESC LIMIT 1", [user_id, *events])
        return row["event"] if row else None

    def user_events(self, user_id: int) -> list[dict[str, Any]]:
        """A buyer's events, oldest first."""
        return list(self._query("SELECT * FROM user_events WHERE user_id = ? ORDER BY id",
                                  [user_id]))

    def messages_in_since(self, user_id: int, since: datetime) -> int:
        """How many messages (texts, buttons, commands) the buyer sent since a time."""
        return int(self.db.execute(
            "SELECT count(*) FROM messages WHERE user_id = ? AND direction = 'in' AND at >= ?",
            [user_id, _iso(since)]).fetchone()[0])


def _notice(row: dict[str, Any]) -> Notice:
    return Notice(row["id"], row["channel"], row["text"], parse_time(row["started_at"]),
                  parse_time(row["until"]), row["started_by"],  # type: ignore[arg-type]
                  parse_time(row["staff_asked_at"]), parse_time(row["ended_at"]))


def _outgoing(row: dict[str, Any]) -> Outgoing:
    choices = tuple(Choice(c["label"], c["data"]) for c in json.loads(row["choices"]))
    return Outgoing(row["audience"], row["text"], row["user_id"], row["ticket_id"], row["kind"],
                    choices, row["id"], file_id=row["file_id"], at=parse_time(row["at"]))


def open_store(path: str | Path) -> Store:
    """Open the database file and wrap it."""
    return Store(open_db(path))
