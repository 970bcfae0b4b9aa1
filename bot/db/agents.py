"""The agents kefu knows, their role and whether they are on duty."""

from __future__ import annotations

from datetime import datetime

from bot.db.base import Table, iso
from bot.records import AgentRecord


class Agents(Table):
    """The `agents` table."""

    def upsert(self, agent_id: int, name: str, role: str, now: datetime) -> None:
        """Add an agent or refresh their name and role, keeping their duty state."""
        self.db.execute(
            "INSERT INTO agents (id, name, role, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role",
            [agent_id, name, role, iso(now)])

    def get(self, agent_id: int) -> AgentRecord | None:
        """An agent by id."""
        row = self._one("SELECT * FROM agents WHERE id = ?", [agent_id])
        return AgentRecord(row["id"], row["name"], row["role"], bool(row["on_duty"])) \
            if row else None

    def set_duty(self, agent_id: int, on: bool, now: datetime) -> None:
        """Mark an agent on or off duty (feeds the ETA)."""
        self.db.execute("UPDATE agents SET on_duty = ?, updated_at = ? WHERE id = ?",
                        [int(on), iso(now), agent_id])

    def on_duty(self) -> list[AgentRecord]:
        """Agents currently on duty."""
        rows = self._query("SELECT * FROM agents WHERE on_duty = 1 ORDER BY id")
        return [AgentRecord(r["id"], r["name"], r["role"], True) for r in rows]
