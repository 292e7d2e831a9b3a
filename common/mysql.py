"""pymysql connections and idempotent schema creation for MySQL-backed services."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import unquote, urlparse

import pymysql
import pymysql.cursors

log = logging.getLogger(__name__)


class Database:
    """A small thread-safe connection pool over one database.

    Each `transaction()` checks a connection out, commits on success, rolls back
    on error. Connections are created lazily and reused. One that sat idle for
    more than `ping_after_idle_s` is pinged (and reconnected) before use; one
    used a moment ago is trusted, which spares a round trip per transaction
    when the service is busy. Should the server have dropped it all the same,
    the transaction fails, the connection is closed and the caller's retry
    (or Dapr's redelivery) gets a fresh one.
    """

    def __init__(
        self,
        url: str,
        database: str,
        connect_timeout: float = 5.0,
        max_idle: int = 32,
        ping_after_idle_s: float = 5.0,
    ) -> None:
        parsed = urlparse(url)
        # `?ssl=disabled` in the URL (local MariaDB has no TLS) spares pymysql
        # from building an SSL context on every connect.
        ssl_disabled = "ssl=disabled" in (parsed.query or "")
        self._params = {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 3306,
            "user": unquote(parsed.username or "root"),
            "password": unquote(parsed.password or ""),
            "connect_timeout": connect_timeout,
            "read_timeout": 10,
            "write_timeout": 10,
            "charset": "utf8mb4",
            "autocommit": False,
            "cursorclass": pymysql.cursors.DictCursor,
            "ssl_disabled": ssl_disabled,
        }
        # Keep as many idle connections as there are worker threads (32 in
        # common.runtime), so a busy service does not churn them.
        self._max_idle = max_idle
        self._ping_after_idle_s = ping_after_idle_s
        self.database = database
        # (connection, time.monotonic() when it was put back)
        self._idle: list[tuple[pymysql.connections.Connection, float]] = []
        self._lock = threading.Lock()

    def _connect(self, with_db: bool = True) -> pymysql.connections.Connection:
        params = dict(self._params)
        if with_db:
            params["database"] = self.database
        return pymysql.connect(**params)

    def migrate(self, statements: Sequence[str]) -> None:
        """Create the database and run idempotent DDL (CREATE ... IF NOT EXISTS)."""
        conn = self._connect(with_db=False)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    f"CREATE DATABASE IF NOT EXISTS `{self.database}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
                cur.execute(f"USE `{self.database}`")
                for statement in statements:
                    cur.execute(statement)
            conn.commit()
        finally:
            conn.close()
        log.info("schema of %s is current", self.database)

    @contextmanager
    def transaction(self) -> Iterator[pymysql.cursors.DictCursor]:
        with self._lock:
            conn, idle_since = self._idle.pop() if self._idle else (None, 0.0)
        if conn is None:
            conn = self._connect()
        elif time.monotonic() - idle_since > self._ping_after_idle_s:
            conn.ping(reconnect=True)
        try:
            with conn.cursor() as cur:
                yield cur
            conn.commit()
        except BaseException:
            # A connection that cannot even roll back (the server dropped it)
            # is closed, not pooled; the caller sees the original error.
            if _rolled_back(conn):
                self._release(conn)
            raise
        self._release(conn)

    def _release(self, conn: pymysql.connections.Connection) -> None:
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append((conn, time.monotonic()))
                return
        conn.close()

    def ping(self) -> bool:
        try:
            with self.transaction() as cur:
                cur.execute("SELECT 1")
            return True
        except pymysql.MySQLError:
            return False

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            _close_quietly(conn)


def _rolled_back(conn: pymysql.connections.Connection) -> bool:
    try:
        conn.rollback()
    except pymysql.MySQLError:
        _close_quietly(conn)
        return False
    return True


def _close_quietly(conn: pymysql.connections.Connection) -> None:
    with contextlib.suppress(pymysql.MySQLError):  # already closed
        conn.close()
