"""Opening the database, the one transaction every store module writes in, and its faults.

Writes go through plain SQL inside `transaction()` so that a change and the messages it
causes land together or not at all; sqlite-utils' own writers commit on their own, so they
are only used for reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from bot.db.checks import DatabaseFileError, check_database_file, damaged
from bot.schema import migrate

BUSY_TIMEOUT_MS = 10_000  # a report or a second console may hold the write lock for a while
# In WAL mode NORMAL survives a killed process; a power cut may lose the last commits, but
# always a tail, never a middle. What kefu received is committed durably (FULL, which also
# syncs every commit before it): its turns and delivery notes are then redone, at worst a
# reply sent twice, and an fsync per reply and per delivery is saved.
SYNCHRONOUS = "NORMAL"

# faults: the database refusing writes
UNWRITABLE = ("locked", "busy", "full", "readonly", "read-only", "disk i/o", "unable to open")


def unwritable(exc: BaseException) -> bool:
    """The database refused for a while (disk full, read-only, locked past the busy timeout),
    as opposed to a bug in a query: waiting and trying again can help."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in UNWRITABLE)


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database in WAL mode and migrate it.

    Raises DatabaseFileError, before writing anything, for a file that is not kefu's
    database (another SQLite database, or not SQLite at all), or that cannot be opened.
    """
    check_database_file(path)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        migrate(db)
    except sqlite3.OperationalError as exc:  # no permission, a locked or full disk, ...
        raise DatabaseFileError(f"{path}: cannot open it for writing ({exc}); check that "
                                "kefu may write to the file and its folder") from exc
    except sqlite3.DatabaseError as exc:  # damaged past the header the check reads
        raise DatabaseFileError(damaged(path, exc)) from exc
    return db


@contextmanager
def transaction(conn: sqlite3.Connection, durable: bool = False) -> Iterator[None]:
    """One atomic unit of work; IMMEDIATE so two writers queue instead of deadlocking.

    `durable`: on disk (fsync) when this returns, for what kefu confirms having received
    (a buyer's or an agent's message); see open_db. Inside another transaction, the
    outer one decides.
    """
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
