"""The services' MySQL connection pool against the real MariaDB: a connection
the server dropped never returns to the pool, and one idle long enough is
pinged back to life before use."""

from __future__ import annotations

from collections.abc import Iterator

import pymysql
import pytest

from common.mysql import Database
from tests.integration import backends

pytestmark = [pytest.mark.integration, pytest.mark.lite]


def connection_id(db: Database) -> int:
    with db.transaction() as cur:
        cur.execute("SELECT CONNECTION_ID() AS id")
        return int(cur.fetchone()["id"])


def kill(db: Database, victim: int) -> None:
    with db.transaction() as cur:
        cur.execute(f"KILL CONNECTION {victim}")


@pytest.fixture
def database(shared_env: dict[str, str]) -> Iterator[Database]:
    db = Database(backends.mysql_url(shared_env), "shop_orders", ping_after_idle_s=3600)
    yield db
    db.close()


def test_a_busy_pool_reuses_one_connection(database: Database) -> None:
    assert len({connection_id(database) for _ in range(5)}) == 1


def test_a_dropped_connection_fails_once_and_is_replaced(
    database: Database, shared_env: dict[str, str]
) -> None:
    victim = connection_id(database)
    other = Database(backends.mysql_url(shared_env), "shop_orders")
    try:
        kill(other, victim)
    finally:
        other.close()

    # Used a moment ago, so it is trusted without a ping: the server's drop
    # surfaces as an error to this caller (whose retry gets a new connection).
    with pytest.raises(pymysql.err.OperationalError), database.transaction() as cur:
        cur.execute("SELECT 1")
    assert connection_id(database) != victim


def test_a_connection_idle_past_the_limit_is_pinged_back(
    shared_env: dict[str, str],
) -> None:
    db = Database(backends.mysql_url(shared_env), "shop_orders", ping_after_idle_s=0)
    killer = Database(backends.mysql_url(shared_env), "shop_orders")
    try:
        victim = connection_id(db)
        kill(killer, victim)
        assert connection_id(db) != victim  # reconnected by the ping, no error
    finally:
        db.close()
        killer.close()
