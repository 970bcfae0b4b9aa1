"""Fixtures: a real MariaDB (dujiaoka, acg-faka) and a real PostgreSQL (Dujiao-Next) for the
session, filled with each system's orders; the URLs a shop owner would set.

They fail, never skip, when a server cannot start: CI installs both (scripts/test), and a
test that silently skipped would prove nothing. KEFU_SKIP_SHOPDB=1 skips them on a
machine where installing the servers is not wanted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from tests.shop_data import RO_PASSWORD, RO_USER, fill_mysql, fill_postgres
from tests.shop_servers import Server, ServerUnavailable, mariadb, postgres


@dataclass(frozen=True)
class ShopDbs:
    """The two servers, filled."""

    mysql: Server
    pg: Server

    def url(self, backend: str, user: str = RO_USER, password: str = RO_PASSWORD) -> str:
        """KEFU_ORDERS_DSN for a backend, as the read-only user by default."""
        if backend == "dujiao_next":
            return self.pg.url(user, password, "dujiao_next")
        return self.mysql.url(user, password, "acgfaka" if backend == "acgfaka" else "dujiaoka")


@pytest.fixture(scope="session", name="shop_dbs")
def shop_dbs_fixture() -> Iterator[ShopDbs]:
    """Both servers for the whole session, stopped and removed at its end."""
    if os.environ.get("KEFU_SKIP_SHOPDB") == "1":
        pytest.skip("KEFU_SKIP_SHOPDB=1: shop database tests skipped")
    with ExitStack() as stack:
        try:
            my = stack.enter_context(mariadb())
            pg = stack.enter_context(postgres())
            fill_mysql(my)
            fill_postgres(pg)
        except ServerUnavailable as exc:
            pytest.fail(f"shop database servers unavailable: {exc}", pytrace=False)
        yield ShopDbs(my, pg)
