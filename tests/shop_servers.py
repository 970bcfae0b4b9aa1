"""Real MariaDB and PostgreSQL servers for the shop-database tests and the benchmark.

Each starts from an empty data directory in a fresh temporary directory, on a free
loopback port, with its unix socket beside its data, and is stopped and removed at the
end. scripts/test installs the packages (apt-get) where they are missing; this module
only finds and runs them. PostgreSQL refuses to run as root, so as root it runs as
the `postgres` user the package creates (subprocess user=); MariaDB runs as root with --user=root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 30.0  # a cold start takes 1-3 s; a loaded CI machine gets more room


class ServerUnavailable(RuntimeError):
    """A database server could not be found or started: the message says what to install."""


@dataclass(frozen=True)
class Server:
    """A running database server on loopback."""

    kind: str  # mysql | postgresql
    port: int
    socket_dir: str
    admin_user: str  # full rights, over the unix socket, no password

    def url(self, user: str, password: str, database: str) -> str:
        """A connection URL as a shop owner would put it in KEFU_ORDERS_DSN."""
        return f"{self.kind}://{user}:{password}@127.0.0.1:{self.port}/{database}"


def free_port() -> int:
    """A loopback TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binary(*candidates: str) -> str:
    for pattern in candidates:
        found = sorted(glob.glob(pattern)) or ([shutil.which(pattern)] if shutil.which(pattern)
                                               else [])
        if found:
            return str(found[-1])
    raise ServerUnavailable(f"none of {', '.join(candidates)} found: install mariadb-server "
                            "and postgresql (scripts/test does, with apt-get)")


def _wait(proc: subprocess.Popen[bytes], ready: Path, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if ready.exists():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
    raise ServerUnavailable(f"{proc.args[0]} did not start:\n{tail}")


@contextlib.contextmanager
def mariadb() -> Iterator[Server]:
    """A MariaDB server; root has full rights over the socket."""
    install = _binary("mariadb-install-db", "mysql_install_db")
    server = _binary("/usr/sbin/mariadbd", "mariadbd", "/usr/sbin/mysqld", "mysqld")
    root = Path(tempfile.mkdtemp(prefix="kefu-mariadb-"))
    data, sock, log = root / "data", root / "mysqld.sock", root / "error.log"
    port = free_port()
    user = ["--user=root"] if os.geteuid() == 0 else []
    try:
        subprocess.run([install, "--no-defaults", f"--datadir={data}", "--skip-test-db",
                        "--auth-root-authentication-method=socket", *user],
                       check=True, capture_output=True, timeout=120)
        proc = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", f"--socket={sock}",
             f"--port={port}", "--bind-address=127.0.0.1", f"--pid-file={root}/pid",
             f"--log-error={log}", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
             "--innodb-flush-log-at-trx-commit=0", "--skip-name-resolve", *user],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(proc, sock, log)
            yield Server("mysql", port, str(root), "root")
        finally:
            _stop(proc)
    except subprocess.CalledProcessError as exc:
        raise ServerUnavailable(f"mariadb-install-db failed: {exc.stderr.decode()[-800:]}"
                                ) from None
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Ask the server to stop; after 15 s, make it."""
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(15)
    if proc.poll() is None:
        proc.kill()


@contextlib.contextmanager
def postgres() -> Iterator[Server]:
    """A PostgreSQL server; `postgres` has full rights over the socket, TCP needs a password."""
    initdb = _binary("/usr/lib/postgresql/*/bin/initdb", "initdb")
    server = str(Path(initdb).with_name("postgres"))
    root = Path(tempfile.mkdtemp(prefix="kefu-postgres-"))
    data, log = root / "data", root / "postgres.log"
    port = free_port()
    as_user: dict[str, str] = {}
    if os.geteuid() == 0:  # "root" execution of the PostgreSQL server is not permitted
        shutil.chown(root, "postgres", "postgres")
        as_user = {"user": "postgres", "group": "postgres"}
    try:
        subprocess.run([initdb, "-D", str(data), "-U", "postgres", "--no-sync",
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                        "--locale=C"], check=True, capture_output=True, timeout=120, **as_user)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [server, "-D", str(data), "-p", str(port), "-k", str(root),
                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                 "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                stdout=out, stderr=subprocess.STDOUT, **as_user)
        try:
            _wait(proc, root / f".s.PGSQL.{port}", log)
            yield Server("postgresql", port, str(root), "postgres")
        finally:
            _stop(proc)
    except subprocess.CalledProcessError as exc:
        raise ServerUnavailable(f"initdb failed: {exc.stderr.decode()[-800:]}") from None
    finally:
        shutil.rmtree(root, ignore_errors=True)
