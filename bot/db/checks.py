"""Is this file kefu's database? Checked before it is opened, so no other file is written to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "_sqlite_migrations"
MIGRATION_SET = "kefu"  # bot/schema.py's Migrations("kefu")
# A shop may have made its orders table before kefu first ran (bot/schema.py m008).
KEFU_TABLES = frozenset({"orders"})
WHERE = "set `database:` in kefu.yaml (or --db) to kefu's database, or to a new file"


class DatabaseFileError(Exception):
    """The database file cannot be used; the message names it and says what to do."""


def check_database_file(path: str | Path) -> None:
    """Raise DatabaseFileError unless `path` is kefu's database, or may become one."""
    if str(path) == ":memory:":
        return
    path = Path(path)
    if not path.exists():
        if not path.parent.is_dir():
            raise DatabaseFileError(f"{path}: folder {path.parent} does not exist; create it "
                                    f"or {WHERE}")
        return
    if not path.is_file():
        raise DatabaseFileError(f"{path} is not a file; {WHERE}")
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseFileError(f"{path}: cannot read it ({exc.strerror}); check its "
                                "permissions") from exc
    if not header:
        return  # an empty file: sqlite3 makes it a new database
    if header != SQLITE_HEADER:
        raise DatabaseFileError(f"{path} is not a SQLite database (left untouched); {WHERE}")
    tables, migrated = _contents(path)
    if tables - KEFU_TABLES and not migrated:
        raise DatabaseFileError(f"{path} is a SQLite database but not kefu's (tables: "
                                f"{', '.join(sorted(tables)[:5])}; left untouched); {WHERE}")


def _contents(path: Path) -> tuple[set[str], bool]:
    """The file's tables, and whether kefu's migrations were ever applied to it."""
    # Read-only: whatever the file is, its bytes stay as they were. Without a -wal file
    # beside it nobody is writing it in WAL mode, and `immutable` then leaves no -shm either.
    wal = Path(f"{path}-wal").exists()
    uri = path.resolve().as_uri() + ("?mode=ro" if wal else "?immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            migrated = MIGRATIONS_TABLE in tables and conn.execute(
                f"SELECT count(*) FROM {MIGRATIONS_TABLE} WHERE migration_set = ?",
                (MIGRATION_SET,)).fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseFileError(damaged(path, exc)) from exc
    return tables - {MIGRATIONS_TABLE} - {"sqlite_sequence"}, bool(migrated)


def damaged(path: str | Path, exc: BaseException) -> str:
    """The one line for a database file SQLite refuses to read."""
    return (f"{path}: SQLite cannot read it ({exc}); restore it from a backup, "
            f"or {WHERE}")
