"""What fault tests do to a running kefu: kill it, fill its disk, lock its database, read it."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.kefu_process import KefuProcess
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import rows, wait_until
from tests.faults.proxy import FaultProxy

WAL_FRAME = 4096 + 24  # one page in the write-ahead log, with its frame header


class ViaProxy:
    """The emulator as KefuProcess sees it, with kefu's requests going through the proxy."""

    def __init__(self, peer: BotApiPeer, proxy: FaultProxy) -> None:
        self.peer, self.proxy = peer, proxy

    @property
    def token(self) -> str:
        """The bot token the emulator expects."""
        return self.peer.token

    @property
    def base_url(self) -> str:
        """The proxy, in PTB's form."""
        return self.proxy.base_url

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Calls that reached the emulator."""
        return self.peer.calls(method)


def kill9(kefu: KefuProcess) -> None:
    """SIGKILL: no shutdown hook runs, nothing is flushed."""
    assert kefu.proc is not None
    kefu.proc.send_signal(signal.SIGKILL)
    kefu.proc.wait(10)


def database(kefu: KefuProcess) -> Path:
    """kefu's SQLite file (write_config puts it next to the config)."""
    return kefu.config.parent / "kefu.db"


def outbox(kefu: KefuProcess, user_id: int) -> list[dict[str, Any]]:
    """Everything queued for a buyer, oldest first."""
    return rows(kefu, "SELECT * FROM outbox WHERE audience = 'user' AND user_id = ? ORDER BY id",
                (user_id,))


def as_sent(queued: list[dict[str, Any]]) -> list[str]:
    """Outbox rows as a buyer sees them: the plain texts of one turn (one queue time, buttons
    only on the last) arrive as one message, a blank line apart."""
    messages: list[list[dict[str, Any]]] = []
    for row in queued:
        last = messages[-1][-1] if messages else None
        if (last and last["at"] == row["at"] and last["choices"] == "[]"
                and _plain(last) and _plain(row)):
            messages[-1].append(row)
        else:
            messages.append([row])
    return ["\n\n".join(row["text"] for row in rows) for rows in messages]


def _plain(row: dict[str, Any]) -> bool:
    return row["kind"] == "text" and not row["file_id"]


def undelivered(kefu: KefuProcess) -> list[dict[str, Any]]:
    """Outbox rows not yet delivered (buyers' and staff's)."""
    return rows(kefu, "SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY id")


def inbox(kefu: KefuProcess) -> list[dict[str, Any]]:
    """Buyer events stored and not yet handled."""
    return rows(kefu, "SELECT * FROM inbox ORDER BY id")


def settled(kefu: KefuProcess, timeout: float = 20.0) -> None:
    """Wait until every stored event is handled and every message delivered."""
    wait_until(lambda: not inbox(kefu) and not undelivered(kefu), timeout,
               "an empty inbox and outbox")


def texts(peer: BotApiPeer, chat_id: int) -> list[str]:
    """What the bot said in a chat, oldest first."""
    return [m.get("text") or m.get("caption") or "" for m in peer.bot_messages(chat_id)]


def limit_file_size(kefu: KefuProcess, size: int | None) -> None:
    """Make kefu's writes past `size` bytes fail, as on a full disk (None lifts the limit).

    RLIMIT_FSIZE, changed from outside with prlimit: the write fails with EFBIG (Python
    ignores SIGXFSZ) and SQLite reports an I/O error, as it does when the disk is full.
    """
    assert kefu.proc is not None
    soft = resource.RLIM_INFINITY if size is None else size
    resource.prlimit(kefu.proc.pid, resource.RLIMIT_FSIZE, (soft, resource.RLIM_INFINITY))


def fill_disk(kefu: KefuProcess, frames: int = 0) -> None:
    """From now on kefu's database can grow by at most `frames` pages (0: not at all)."""
    wal = Path(f"{database(kefu)}-wal")
    limit_file_size(kefu, wal.stat().st_size + frames * WAL_FRAME)


class Locker:
    """Another process holding the database's write lock (a long report, say) until released."""

    SCRIPT = ("import sqlite3, sys\n"
              "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "db.execute('BEGIN EXCLUSIVE')\n"
              "print('locked', flush=True)\n"
              "sys.stdin.read()\n"
              "db.execute('COMMIT')\n")

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(path)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == b"locked", line

    def release(self) -> None:
        """Commit and exit."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(10)
