"""How a failed command is told to an operator: one line naming the file or setting, exit 2.

A traceback helps a developer, not a shop owner; `kefu --debug ...` still shows it.
"""

from __future__ import annotations

import sqlite3

from bot.config import ConfigError
from bot.db.checks import DatabaseFileError, damaged
from intents.faq import FaqError

EXIT_FAILED = 2
DEBUG_HINT = "(kefu --debug ... shows the details)"


def one_line(exc: BaseException, database: str | None = None) -> str:
    """The message for an exception that ended a command; `database` is the file in use."""
    if isinstance(exc, ConfigError):
        return f"配置错误 / config error: {exc}"
    if isinstance(exc, FaqError):  # a wrong `faq:` path, or a FAQ that does not load
        return f"FAQ 错误 / faq error: {exc}"
    if isinstance(exc, DatabaseFileError):
        return f"数据库 / database: {exc}"
    if isinstance(exc, sqlite3.OperationalError):
        where = database or "the database"
        return (f"数据库 / database: {where}: {exc}; check the file and its folder "
                f"{DEBUG_HINT}")
    if isinstance(exc, sqlite3.DatabaseError):
        return f"数据库 / database: {damaged(database or 'the database', exc)}"
    if isinstance(exc, OSError):
        name = exc.filename or "a file"
        return f"{name}: {exc.strerror or exc}; check the path and its permissions"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"kefu failed: {type(exc).__name__}: {text} {DEBUG_HINT}".replace(":  ", ": ")
