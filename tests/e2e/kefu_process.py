"""Run `kefu run` as a real process against the loopback Bot API peer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.e2e.peer import BotApiPeer

REPO = Path(__file__).resolve().parents[2]
MINI_FAQ = REPO / "tests" / "data" / "mini_faq.yaml"
STAFF_CHAT = -1001777
AGENT = 501


def write_config(tmp: Path, faq: Path = MINI_FAQ, extra: str = "") -> Path:
    """A kefu.yaml for the e2e shop: one staff group, one configured agent (+ `extra` YAML)."""
    path = tmp / "kefu.yaml"
    path.write_text(
        f"database: {tmp / 'kefu.db'}\nfaq: {faq}\nstaff_chat: {STAFF_CHAT}\n"
        "business_hours: {opens: '00:00', closes: '00:00'}\n"
        "match: {answer: 0.5, margin: 0.05, clarify: 0.2}\n"
        f"agents:\n  - {{id: {AGENT}, name: 小王, role: senior}}\n{extra}",
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KefuProcess:
    """`python -m tools.cli run --base-url ...` with the token in the environment.

    With `webhook_url` (e.g. http://127.0.0.1:PORT/hook) kefu runs in webhook mode, listening
    on that loopback port, and the peer POSTs updates to it.
    """

    def __init__(self, peer: BotApiPeer, config: Path, webhook_url: str | None = None) -> None:
        self.peer, self.config, self.webhook_url = peer, config, webhook_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process

    def command(self) -> list[str]:
        """The command line."""
        args = [sys.executable, "-m", "tools.cli", "--config", str(self.config), "run",
                "--base-url", self.peer.base_url]
        if self.webhook_url:
            port = urlsplit(self.webhook_url).port
            args += ["--webhook", self.webhook_url, "--listen", "127.0.0.1", "--port", str(port)]
        return args

    def start(self, timeout: float = 20.0) -> KefuProcess:
        """Start and wait until the bot polls for updates (or has set its webhook)."""
        ready = "setWebhook" if self.webhook_url else "getUpdates"
        before = len(self.peer.calls(ready))
        self.launch()
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while len(self.peer.calls(ready)) <= before:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kefu did not start ({ready}):\n{self.output()}")
            time.sleep(0.1)
        return self

    def launch(self) -> KefuProcess:
        """Start the process without waiting for it (the peer may not be up yet)."""
        env = {**os.environ, "KEFU_TELEGRAM_TOKEN": self.peer.token, "PYTHONUNBUFFERED": "1"}
        env.pop("KEFU_DB", None)
        self.proc = subprocess.Popen(self.command(), cwd=REPO, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
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
