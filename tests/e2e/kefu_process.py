"""Run `kefu run` as a real process against the loopback Bot API peer."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.peer import BotApiPeer

REPO = Path(__file__).resolve().parents[2]
MINI_FAQ = REPO / "tests" / "data" / "mini_faq.yaml"
STAFF_CHAT = -1001777
AGENT = 501


def write_config(tmp: Path, faq: Path = MINI_FAQ) -> Path:
    """A kefu.yaml for the e2e shop: one staff group, one configured agent."""
    path = tmp / "kefu.yaml"
    path.write_text(
        f"database: {tmp / 'kefu.db'}\nfaq: {faq}\nstaff_chat: {STAFF_CHAT}\n"
        "business_hours: {opens: '00:00', closes: '00:00'}\n"
        "match: {answer: 0.5, margin: 0.05, clarify: 0.2}\n"
        f"agents:\n  - {{id: {AGENT}, name: 小王, role: senior}}\n",
        encoding="utf-8",
    )
    return path


class KefuProcess:
    """`python -m bot.cli run --base-url ...` with the token in the environment."""

    def __init__(self, peer: BotApiPeer, config: Path) -> None:
        self.peer, self.config = peer, config
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process

    def start(self, timeout: float = 20.0) -> KefuProcess:
        """Start and wait until the bot polls for updates."""
        env = {**os.environ, "KEFU_TELEGRAM_TOKEN": self.peer.token, "PYTHONUNBUFFERED": "1"}
        env.pop("KEFU_DB", None)
        before = len(self.peer.calls("getUpdates"))
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "--config",
                str(self.config),
                "run",
                "--base-url",
                self.peer.base_url,
            ],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while len(self.peer.calls("getUpdates")) <= before:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kefu did not start polling:\n{self.output()}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        """Terminate (SIGTERM) and wait."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def output(self) -> str:
        """Everything the process logged."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")
