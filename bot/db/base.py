"""What every store module shares: the one connection, row helpers, and how values are kept."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database


def iso(t: datetime) -> str:
    """A time as the file keeps it."""
    # Always UTC in the file, so text comparisons in SQL order times correctly.
    return t.astimezone(UTC).isoformat()


def dumps(value: Any) -> str:
    """A value as JSON text, Chinese kept readable."""
    return json.dumps(value, ensure_ascii=False, default=str)


def marks(values: Collection[Any]) -> str:
    """One `?` per value, for an IN (...) list."""
    return ", ".join("?" for _ in values)


@dataclass(frozen=True)
class Table:
    """Base of the store modules: all hold the same connection, so they share a transaction."""

    db: Database

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        cur = self.db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks(row)})",
                              list(row.values()))
        return int(cur.lastrowid or 0)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts. Not sqlite-utils' query(): it wraps every read in a savepoint of its
        own, two more statements for each of the dozen reads of a buyer's turn."""
        cursor = self.db.execute(sql, list(params))
        keys = [column[0] for column in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor]

    def _one(self, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
        rows = self._query(sql, params)
        return rows[0] if rows else None

    def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self.db.execute(sql, list(params)).fetchone()[0])
