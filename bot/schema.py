"""The database schema as ordered migrations (sqlite-utils Migrations).

Each migration runs in its own transaction; a new kefu version adds a new
function at the end and never edits an applied one.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("kefu")


@migrations()
def m001_core(db: Database) -> None:
    """Users, conversations, tickets, messages, events, agents, outbox."""
    db.execute("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY, name TEXT, first_seen TEXT, blocked INTEGER DEFAULT 0)""")
    db.execute("""
        CREATE TABLE conversations (
            user_id INTEGER PRIMARY KEY, step TEXT NOT NULL, intent TEXT,
            details TEXT NOT NULL DEFAULT '{}', offered TEXT NOT NULL DEFAULT '[]',
            ticket_id INTEGER, updated_at TEXT)""")
    # AUTOINCREMENT: a deleted ticket's number is never handed out again.
    db.execute("""
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT UNIQUE, user_id INTEGER NOT NULL,
            intent TEXT NOT NULL, title TEXT, tier TEXT NOT NULL, order_no TEXT, demand TEXT,
            demand_text TEXT, amount REAL, details TEXT NOT NULL DEFAULT '{}',
            stage TEXT NOT NULL, owner TEXT NOT NULL DEFAULT 'bot', agent_id INTEGER,
            created_at TEXT NOT NULL, promised_at TEXT, at_risk INTEGER DEFAULT 0,
            claimed_at TEXT, first_reply_at TEXT, resolved_at TEXT, updated_at TEXT)""")
    db.execute("CREATE INDEX tickets_user ON tickets(user_id, stage)")
    db.execute("CREATE INDEX tickets_order ON tickets(order_no)")
    db.execute("""
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER NOT NULL,
            ticket_id INTEGER, direction TEXT NOT NULL, sender TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'text', text TEXT NOT NULL DEFAULT '',
            meta TEXT NOT NULL DEFAULT '{}')""")
    db.execute("CREATE INDEX messages_user ON messages(user_id, id)")
    db.execute("CREATE INDEX messages_ticket ON messages(ticket_id, id)")
    db.execute("""
        CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, at TEXT NOT NULL,
            actor TEXT NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}')""")
    db.execute("CREATE INDEX events_ticket ON ticket_events(ticket_id, id)")
    db.execute("""
        CREATE TABLE agents (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'junior',
            on_duty INTEGER NOT NULL DEFAULT 0, updated_at TEXT)""")
    db.execute("""
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, audience TEXT NOT NULL,
            user_id INTEGER, ticket_id INTEGER, kind TEXT NOT NULL DEFAULT 'text',
            text TEXT NOT NULL, choices TEXT NOT NULL DEFAULT '[]',
            attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at TEXT)""")
    db.execute("CREATE INDEX outbox_pending ON outbox(delivered_at, audience, id)")


@migrations()
def m002_staff_threads(db: Database) -> None:
    """Where each ticket lives in the staff chat (forum topic or reply-to-card thread)."""
    db.execute("""
        CREATE TABLE staff_threads (
            ticket_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, thread_id INTEGER,
            card_message_id INTEGER)""")
    db.execute("CREATE INDEX staff_threads_thread ON staff_threads(chat_id, thread_id)")
    db.execute("""
        CREATE TABLE staff_messages (
            chat_id INTEGER NOT NULL, message_id INTEGER NOT NULL, ticket_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, message_id))""")


@migrations()
def m003_outbox_files(db: Database) -> None:
    """Screenshots and files travel through the outbox too (by messenger file id)."""
    db.execute("ALTER TABLE outbox ADD COLUMN file_id TEXT")


@migrations()
def m004_seen_events(db: Database) -> None:
    """Ids of handled messenger updates, so a re-delivered update is handled once."""
    db.execute("CREATE TABLE seen_events (id TEXT PRIMARY KEY, at TEXT NOT NULL)")


@migrations()
def m005_inbox(db: Database) -> None:
    """Buyer events are written before they are handled, so a crash loses none."""
    db.execute("""
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, at TEXT NOT NULL,
            event TEXT NOT NULL)""")
    # A row lives only until its turn commits, so every row is pending.
    db.execute("CREATE INDEX inbox_user ON inbox(user_id, id)")


@migrations()
def m006_ticket_breached(db: Database) -> None:
    """When a ticket first missed an SLA target (its staff topic turns red from then on)."""
    db.execute("ALTER TABLE tickets ADD COLUMN breached_at TEXT")


@migrations()
def m007_notices(db: Database) -> None:
    """Channel notices ("支付宝通道维护, 预计 30 分钟恢复") and who must hear the all-clear."""
    db.execute("""
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY, channel TEXT NOT NULL, text TEXT NOT NULL,
            started_at TEXT NOT NULL, until TEXT NOT NULL, started_by INTEGER,
            staff_asked_at TEXT, ended_at TEXT)""")
    db.execute("CREATE INDEX notices_active ON notices(ended_at, channel)")
    db.execute("""
        CREATE TABLE notice_buyers (
            notice_id INTEGER NOT NULL REFERENCES notices(id), user_id INTEGER NOT NULL,
            at TEXT NOT NULL, told_at TEXT, PRIMARY KEY (notice_id, user_id))""")


@migrations()
def m008_orders(db: Database) -> None:
    """The shop's orders (filled by the shop or `kefu orders import`) and kefu's checks."""
    # IF NOT EXISTS: a shop may have made the table with sqlite-utils before upgrading kefu.
    db.execute("""
        CREATE TABLE IF NOT EXISTS orders (
            order_no TEXT PRIMARY KEY COLLATE NOCASE, buyer TEXT, product TEXT, amount REAL,
            paid_at TEXT, status TEXT NOT NULL, delivered_at TEXT, code_ref TEXT,
            refunded_at TEXT, pay_channel TEXT, updated_at TEXT)""")
    # Every lookup a buyer caused: repeat "not received" claims are counted from here.
    db.execute("""
        CREATE TABLE order_checks (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER NOT NULL,
            order_no TEXT NOT NULL, intent TEXT, status TEXT, outcome TEXT NOT NULL)""")
    db.execute("CREATE INDEX order_checks_user ON order_checks(user_id, at)")
    db.execute("CREATE INDEX ticket_events_event ON ticket_events(event, at)")


@migrations()
def m009_guard(db: Database) -> None:
    """Buyer-level events (blocked, unblocked, flooded) and a fast per-buyer window count."""
    db.execute("""
        CREATE TABLE user_events (
            id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, at TEXT NOT NULL,
            actor TEXT NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}')""")
    db.execute("CREATE INDEX user_events_user ON user_events(user_id, event, at)")
    # The flood limit counts a buyer's messages of the last minute on every event.
    db.execute("CREATE INDEX messages_user_at ON messages(user_id, direction, at)")


@migrations()
def m010_message_decision(db: Database) -> None:
    """The matcher's decision on a buyer's message (answer, clarify, fallback) and its intent."""
    # The report read this back from the buttons a reply offered; a column says it outright.
    db.execute("ALTER TABLE messages ADD COLUMN decision TEXT")
    db.execute("ALTER TABLE messages ADD COLUMN intent TEXT")


@migrations()
def m011_order_actions(db: Database) -> None:
    """Refund and resend requests per order number, outside the ticket a buyer can edit."""
    db.execute("""
        CREATE TABLE order_actions (
            id INTEGER PRIMARY KEY, order_no TEXT NOT NULL COLLATE NOCASE,
            action TEXT NOT NULL, ticket_id INTEGER, user_id INTEGER, amount REAL,
            reference TEXT NOT NULL DEFAULT '', at TEXT NOT NULL)""")
    db.execute("CREATE INDEX order_actions_order ON order_actions(order_no, action, at)")
    db.execute("CREATE INDEX order_actions_at ON order_actions(action, at)")
    # What earlier versions asked for lived only in ticket events: carried over, so an
    # order refunded before the upgrade is not refunded again after it.
    db.execute("""
        INSERT INTO order_actions (order_no, action, ticket_id, user_id, amount, reference, at)
        SELECT t.order_no, CASE WHEN e.actor LIKE 'agent:%' THEN 'refund_approved'
                                WHEN e.event = 'refund_awaiting_approval' THEN 'refund_awaiting'
                                WHEN e.event = 'resend_requested' THEN 'resend' ELSE e.event END,
               t.id, t.user_id, json_extract(e.data, '$.amount'),
               coalesce(json_extract(e.data, '$.reference'), ''), e.at
        FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE t.order_no IS NOT NULL AND e.event IN ('refund_requested',
              'refund_awaiting_approval', 'refund_approved', 'resend_requested')""")


@migrations()
def m012_order_proofs(db: Database) -> None:
    """Orders a Telegram user proved are theirs (contact, email or lookup password)."""
    db.execute("""
        CREATE TABLE order_proofs (
            user_id INTEGER NOT NULL, order_no TEXT NOT NULL COLLATE NOCASE,
            how TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (user_id, order_no))""")


@migrations()
def m013_ticket_priority(db: Database) -> None:
    """Order within a tier: a threatening or upset buyer's ticket comes first (bot/urgency)."""
    db.execute("ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")


@migrations()
def m014_upkeep(db: Database) -> None:
    """Housekeeping state (when pruning last ran, how far each table was pruned)."""
    db.execute("CREATE TABLE upkeep (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Pruning old seen update ids walks them by time.
    db.execute("CREATE INDEX seen_events_at ON seen_events(at)")


def migrate(db: Database) -> None:
    """Bring the database up to the current schema."""
    migrations.apply(db)
