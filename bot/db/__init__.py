"""kefu's SQLite storage: one module per thing stored, behind one holder.

`Store` holds the connection and hands out one small object per table (or close group of
tables): `store.tickets`, `store.outbox`, ... All of them write on the same connection, so
everything inside one `store.transaction()` commits or rolls back together.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from sqlite_utils import Database

from bot.db.agents import Agents
from bot.db.checks import DatabaseFileError, check_database_file
from bot.db.connection import (
    BUSY_TIMEOUT_MS,
    SYNCHRONOUS,
    UNWRITABLE,
    open_db,
    transaction,
    unwritable,
)
from bot.db.conversations import Conversations
from bot.db.inbox import Inbox
from bot.db.messages import Messages
from bot.db.notices import Notices
from bot.db.order_actions import OrderActions
from bot.db.order_proofs import OrderProofs
from bot.db.orders import Orders
from bot.db.outbox import Outbox
from bot.db.queue import Queue
from bot.db.staff_threads import StaffThreads
from bot.db.ticket_events import TicketEvents
from bot.db.tickets import Tickets
from bot.db.upkeep import Upkeep
from bot.db.users import Users

__all__ = ["BUSY_TIMEOUT_MS", "SYNCHRONOUS", "UNWRITABLE", "DatabaseFileError", "Store",
           "check_database_file", "open_db", "open_store", "unwritable"]


class Store:
    """Named reads and writes over one database, grouped by what they store."""

    def __init__(self, db: Database) -> None:
        self.db = db  # the sqlite-utils Database, for ad-hoc reads (tests, console, report)
        self.tickets = Tickets(db)
        self.ticket_events = TicketEvents(db)
        self.queue = Queue(db)
        self.conversations = Conversations(db)
        self.inbox = Inbox(db)
        self.outbox = Outbox(db)
        self.staff_threads = StaffThreads(db)
        self.messages = Messages(db)
        self.agents = Agents(db)
        self.notices = Notices(db)
        self.orders = Orders(db)
        self.order_actions = OrderActions(db)
        self.order_proofs = OrderProofs(db)
        self.users = Users(db)
        self.upkeep = Upkeep(db)

    def transaction(self, durable: bool = False) -> AbstractContextManager[None]:
        """One atomic unit of work over every table; see connection.transaction."""
        return transaction(self.db.conn, durable)


def open_store(path: str | Path) -> Store:
    """Open the database file and wrap it."""
    return Store(open_db(path))
