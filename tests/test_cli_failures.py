"""Every command fails with one line naming the file, exit 2; no file but kefu's is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.db import DatabaseFileError, open_store
from tools.cli import main

REPO = Path(__file__).resolve().parents[1]
NOT_SQLITE = "这不是数据库, just a text file someone named kefu.db\n" * 50


def config(tmp: Path, database: Path) -> str:
    path = tmp / "kefu.yaml"
    path.write_text(f"database: {database}\nfaq: {REPO / 'faq.yaml'}\n", encoding="utf-8")
    return str(path)


def not_sqlite(tmp: Path) -> Path:
    path = tmp / "notes.db"
    path.write_text(NOT_SQLITE, encoding="utf-8")
    return path


def truncated(tmp: Path) -> Path:
    path = tmp / "cut.db"
    store = open_store(path)
    with store.transaction():
        store.db.execute("INSERT INTO users (id, name) VALUES (1, 'x')")
    store.db.conn.close()
    cut = path.read_bytes()[:5000]  # the header survives, the pages do not
    for name in ("cut.db", "cut.db-wal", "cut.db-shm"):
        (tmp / name).unlink(missing_ok=True)
    path.write_bytes(cut)  # a half-copied file, as a failed backup leaves it
    return path


def foreign(tmp: Path) -> Path:
    path = tmp / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    return path


def missing_folder(tmp: Path) -> Path:
    return tmp / "nonexistent" / "dir" / "x.db"


FILES = [not_sqlite, truncated, foreign, missing_folder]
COMMANDS = [["console"], ["run"], ["report"], ["dashboard"], ["orders", "track"],
            ["orders", "import", "ORDERS"]]


@pytest.mark.parametrize("make", FILES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bad_database_is_one_line_and_exit_2_and_stays_untouched(
        make, command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_TELEGRAM_TOKEN", "123:abc")  # `run` gets as far as the database
    monkeypatch.delenv("KEFU_DB", raising=False)
    db = make(tmp_path)
    before = db.read_bytes() if db.exists() else None
    orders = tmp_path / "orders.csv"
    orders.write_text("order_no,status\nKM202411221530000009,已发货\n", encoding="utf-8")
    argv = [str(orders) if a == "ORDERS" else a for a in command]
    cfg = config(tmp_path, db)
    files = sorted(tmp_path.iterdir())
    capsys.readouterr()
    assert main(["--config", cfg, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert str(db) in err
    assert (db.read_bytes() if db.exists() else None) == before
    assert sorted(tmp_path.iterdir()) == files  # no -wal, no -shm, no new database


def test_a_foreign_sqlite_database_is_refused_not_migrated_into(tmp_path: Path) -> None:
    db = foreign(tmp_path)
    with pytest.raises(DatabaseFileError, match="not kefu's"):
        open_store(db)
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert tables == {"invoices"}


def test_kefu_own_and_new_databases_still_open(tmp_path: Path) -> None:
    open_store(tmp_path / "k.db").db.conn.close()
    open_store(tmp_path / "k.db")  # a second open of kefu's own file
    (tmp_path / "empty.db").touch()
    open_store(tmp_path / "empty.db")


def test_init_into_a_missing_folder_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nonexistent" / "dir" / "k.yaml"
    assert main(["init", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(target) in err


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    db = not_sqlite(tmp_path)
    with pytest.raises(DatabaseFileError):
        main(["--debug", "--config", config(tmp_path, db), "orders", "track"])
