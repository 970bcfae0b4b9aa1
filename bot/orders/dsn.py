"""The shop database's connection URL and what went wrong with it, in one line (pure).

The URL comes only from the environment (it holds a password); nothing here puts
the password in a message: `mask` replaces it before a URL is shown or logged,
and `explain` names the problem without repeating the URL at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.orders import BackendError

# What each system's database speaks, and the driver kefu uses for it.
DRIVERS = {"mysql": "mysql+pymysql", "postgresql": "postgresql+psycopg"}
_SCHEMES = {"mysql": ("mysql", "mysql+pymysql", "mariadb", "mariadb+pymysql"),
            "postgresql": ("postgresql", "postgres", "postgresql+psycopg")}
# user:password@ in a URL anywhere in a text; the password runs to the token's last @.
_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+]*://[^:/@\s]*:)(?P<pw>\S*)(?=@)",
                       re.IGNORECASE)


def mask(url: str) -> str:
    """The URL with its password replaced by ***, safe to print and log."""
    return _PASSWORD.sub(lambda m: m.group("head") + "***", url)


def read_url(env: Mapping[str, str], name: str, dialect: str) -> str:
    """The connection URL from environment variable `name`, with kefu's driver named in it;
    BackendError (naming the variable, never its value) when unset or of the wrong kind."""
    raw = (env.get(name) or "").strip()
    if not raw:
        raise BackendError(f"environment variable {name} is not set: it must hold the shop "
                           f"database URL, e.g. {_example(dialect)}")
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in _SCHEMES[dialect]:
        raise BackendError(f"{name}: expected a {dialect} URL such as {_example(dialect)}, "
                           f"got {mask(raw)[:80]}")
    return f"{DRIVERS[dialect]}://{rest}"


def _example(dialect: str) -> str:
    if dialect == "mysql":
        return "mysql://kefu_ro:PASSWORD@127.0.0.1:3306/dujiaoka"
    return "postgresql://kefu_ro:PASSWORD@127.0.0.1:5432/dujiao_next"


# (pattern in the driver's message or its code, what kefu says). First match wins.
_KNOWN = (
    (r"\b1045\b|password authentication failed|authentication failed", "access denied: "
     "the user name or password in the URL is wrong"),
    (r"\b1044\b|permission denied for database", "access denied to that database"),
    (r"name or service not known|nodename nor servname|could not translate host name"
     r"|getaddrinfo|temporary failure in name resolution|\b2005\b", "unknown host"),
    (r"\b1049\b|database \"[^\"]*\" does not exist|unknown database", "unknown database"),
    (r"\b1146\b|doesn't exist|relation \"[^\"]*\" does not exist|undefinedtable",
     "missing table"),
    (r"\b1054\b|unknown column|column \"[^\"]*\" does not exist|undefinedcolumn",
     "missing column"),
    (r"\b114[23]\b|permission denied for|command denied", "no SELECT permission"),
    (r"connection refused|\b2003\b", "cannot connect (connection refused or no answer)"),
    (r"timed? ?out|timeout|canceling statement|\b2013\b", "no answer in time"),
)


def explain(exc: BaseException) -> str:
    """One line naming what is wrong, with the server's own words (password-free)."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(a) for a in getattr(orig, "args", ()) if a is not None) or str(orig)
    text = mask(re.sub(r"\s+", " ", text)).strip()
    what = next((label for pattern, label in _KNOWN if re.search(pattern, text, re.I)),
                type(orig).__name__)
    detail = _quoted(text)
    return f"{what}: {detail}" if detail and detail != what else what


def _quoted(text: str) -> str:
    """The server's message without SQL or URLs: enough to see which table or host."""
    text = re.sub(r"\(Background on this error.*", "", text)
    text = re.sub(r"\[SQL:.*", "", text)
    return text[:160].strip()
