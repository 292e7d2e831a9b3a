"""The order database (MySQL through pymysql): schema and transaction helpers.

Orders need SQL: a unique (user id, idempotency key), listing a user's orders
by cursor, row locks around status changes, and a transactional outbox; so
they live in MySQL (MariaDB locally) with a real schema, created at start.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

import pymysql

from common import outbox
from common.mysql import Database
from services.order.domain import Unavailable

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS orders (
        id CHAR(32) NOT NULL PRIMARY KEY,
        user_id VARCHAR(64) NOT NULL,
        status VARCHAR(16) NOT NULL,
        total_amount BIGINT NOT NULL,
        currency CHAR(3) NOT NULL,
        idempotency_key VARCHAR(128) NOT NULL,
        created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        UNIQUE KEY user_key (user_id, idempotency_key),
        INDEX user_recent (user_id, created_at, id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS order_items (
        order_id CHAR(32) NOT NULL,
        line_no INT NOT NULL,
        product_id VARCHAR(64) NOT NULL,
        product_name VARCHAR(200) NOT NULL,
        quantity INT NOT NULL,
        unit_amount BIGINT NOT NULL,
        currency CHAR(3) NOT NULL,
        reservation_id VARCHAR(128) NOT NULL DEFAULT '',
        PRIMARY KEY (order_id, line_no),
        FOREIGN KEY (order_id) REFERENCES orders (id)
    )
    """,
    # Stock follow-ups on product, retried until product accepts them: the
    # commits of a placed order's reservations (written with the order), the
    # releases of a cancel (with the status change) and of a failed placement
    # (when its immediate release failed).
    """
    CREATE TABLE IF NOT EXISTS stock_releases (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        order_id CHAR(32) NULL,
        product_id VARCHAR(64) NOT NULL,
        quantity BIGINT NOT NULL,
        reservation_id VARCHAR(128) NOT NULL DEFAULT '',
        action VARCHAR(8) NOT NULL DEFAULT 'release',
        reason VARCHAR(64) NOT NULL,
        attempts INT NOT NULL DEFAULT 0,
        last_error VARCHAR(500) NULL,
        created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        next_attempt_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        done_at TIMESTAMP(6) NULL,
        INDEX due (done_at, next_attempt_at),
        INDEX by_order (order_id)
    )
    """,
    # Tables made before reservation ids.
    "ALTER TABLE order_items ADD COLUMN IF NOT EXISTS"
    " reservation_id VARCHAR(128) NOT NULL DEFAULT ''",
    "ALTER TABLE stock_releases ADD COLUMN IF NOT EXISTS"
    " reservation_id VARCHAR(128) NOT NULL DEFAULT ''",
    "ALTER TABLE stock_releases ADD COLUMN IF NOT EXISTS"
    " action VARCHAR(8) NOT NULL DEFAULT 'release'",
    *outbox.SCHEMA,
)

DUPLICATE_KEY = 1062


def store_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Connection-level database failures -> Unavailable (UNAVAILABLE)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as err:
            log.warning("order database failed in %s: %s", method.__name__, err)
            raise Unavailable("order database") from err

    return wrapper


def db_time(moment: datetime) -> datetime:
    """Aware -> naive UTC; the session time zone is UTC (see `utc_transaction`)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


@contextmanager
def utc_transaction(db: Database) -> Iterator[Any]:
    """A transaction whose TIMESTAMP values are read and written as UTC."""
    with db.transaction() as cur:
        cur.execute("SET time_zone = '+00:00'")
        yield cur
