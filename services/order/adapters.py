"""MySQL (pymysql) storage and the product-service client of the order service.

Orders need SQL: a unique (user id, idempotency key), listing a user's orders
by cursor, row locks around status changes, and a transactional outbox; so
they live in MySQL (MariaDB locally) with a real schema, created at start.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import grpc
import pymysql

from common import outbox, topics
from common.mysql import Database
from protos.events.v1 import events_pb2
from protos.product.v1 import product_pb2, product_pb2_grpc
from services.order.domain import (
    DuplicateOrder,
    Money,
    Order,
    OrderLine,
    OrderNotFound,
    OrderStatus,
    OutOfStock,
    ProductNotFound,
    Reservation,
    StatusChange,
    StockRelease,
    Unavailable,
    ValidationError,
)
from services.order.grpc_api import line_to_proto, money_to_proto, timestamp
from services.order.service import Cursor, Inventory

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
        PRIMARY KEY (order_id, line_no),
        FOREIGN KEY (order_id) REFERENCES orders (id)
    )
    """,
    # Stock to give back to product, retried until product accepts it. Rows of
    # a cancel commit with the status change; rows of a failed placement are
    # written when the immediate release failed.
    """
    CREATE TABLE IF NOT EXISTS stock_releases (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        order_id CHAR(32) NULL,
        product_id VARCHAR(64) NOT NULL,
        quantity BIGINT NOT NULL,
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
    outbox.SCHEMA,
)

DUPLICATE_KEY = 1062


def _store_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Connection-level database failures -> Unavailable (UNAVAILABLE)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as err:
            log.warning("order database failed in %s: %s", method.__name__, err)
            raise Unavailable("order database") from err

    return wrapper


def _db_time(moment: datetime) -> datetime:
    """Aware -> naive UTC; the session time zone is UTC (see `_utc`)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


@contextmanager
def _utc(db: Database) -> Iterator[Any]:
    """A transaction whose TIMESTAMP values are read and written as UTC."""
    with db.transaction() as cur:
        cur.execute("SET time_zone = '+00:00'")
        yield cur


class MySQLOrderRepository:
    """Orders and order lines; every change commits with its outbox event."""

    def __init__(self, db: Database, events_committed: Callable[[], None]) -> None:
        self._db = db
        # Wakes the outbox relay after a commit that enqueued events.
        self._events_committed = events_committed

    @staticmethod
    def _order(row: dict[str, Any], lines: Sequence[dict[str, Any]]) -> Order:
        return Order(
            id=row["id"],
            user_id=row["user_id"],
            status=OrderStatus[row["status"]],
            lines=tuple(
                OrderLine(
                    product_id=line["product_id"],
                    product_name=line["product_name"],
                    quantity=int(line["quantity"]),
                    unit_price=Money(int(line["unit_amount"]), line["currency"]),
                )
                for line in lines
            ),
            total=Money(int(row["total_amount"]), row["currency"]),
            idempotency_key=row["idempotency_key"],
            created_at=_aware(row["created_at"]),
            updated_at=_aware(row["updated_at"]),
        )

    def _load(self, cur: Any, rows: Sequence[dict[str, Any]]) -> list[Order]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        cur.execute(
            "SELECT * FROM order_items WHERE order_id IN ("
            + ", ".join(["%s"] * len(ids))
            + ") ORDER BY order_id, line_no",
            ids,
        )
        lines: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for line in cur.fetchall():
            lines[line["order_id"]].append(line)
        return [self._order(row, lines[row["id"]]) for row in rows]

    def _one(self, cur: Any, where: str, args: Sequence[Any]) -> Order | None:
        cur.execute(f"SELECT * FROM orders WHERE {where}", args)
        row = cur.fetchone()
        return self._load(cur, [row])[0] if row else None

    @_store_errors
    def get(self, order_id: str) -> Order | None:
        with _utc(self._db) as cur:
            return self._one(cur, "id = %s", (order_id,))

    @_store_errors
    def find_by_key(self, user_id: str, idempotency_key: str) -> Order | None:
        with _utc(self._db) as cur:
            return self._one(
                cur, "user_id = %s AND idempotency_key = %s", (user_id, idempotency_key)
            )

    @_store_errors
    def add(self, order: Order) -> None:
        try:
            with _utc(self._db) as cur:
                cur.execute(
                    "INSERT INTO orders (id, user_id, status, total_amount, currency,"
                    " idempotency_key, created_at, updated_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        order.id,
                        order.user_id,
                        order.status.name,
                        order.total.amount,
                        order.total.currency,
                        order.idempotency_key,
                        _db_time(order.created_at),
                        _db_time(order.updated_at),
                    ),
                )
                cur.executemany(
                    "INSERT INTO order_items (order_id, line_no, product_id,"
                    " product_name, quantity, unit_amount, currency)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            order.id,
                            number,
                            line.product_id,
                            line.product_name,
                            line.quantity,
                            line.unit_price.amount,
                            line.unit_price.currency,
                        )
                        for number, line in enumerate(order.lines, start=1)
                    ],
                )
                outbox.enqueue(cur, topics.ORDER_CREATED, order_created(order))
        except pymysql.err.IntegrityError as err:
            if err.args and err.args[0] == DUPLICATE_KEY:
                raise DuplicateOrder(order.user_id, order.idempotency_key) from err
            raise
        self._events_committed()

    @_store_errors
    def list_for_user(
        self, user_id: str, limit: int, after: Cursor | None
    ) -> list[Order]:
        with _utc(self._db) as cur:
            if after is None:
                cur.execute(
                    "SELECT * FROM orders WHERE user_id = %s"
                    " ORDER BY created_at DESC, id DESC LIMIT %s",
                    (user_id, limit),
                )
            else:
                moment = _db_time(after.created_at)
                cur.execute(
                    "SELECT * FROM orders WHERE user_id = %s AND (created_at < %s"
                    " OR (created_at = %s AND id < %s))"
                    " ORDER BY created_at DESC, id DESC LIMIT %s",
                    (user_id, moment, moment, after.order_id, limit),
                )
            return self._load(cur, cur.fetchall())

    @_store_errors
    def change_status(
        self, order_id: str, decide: Callable[[Order], StatusChange]
    ) -> StatusChange:
        with _utc(self._db) as cur:
            order = self._one(cur, "id = %s FOR UPDATE", (order_id,))
            if order is None:
                raise OrderNotFound(order_id)
            change = decide(order)
            if not change.changed:
                return change
            after = change.after
            cur.execute(
                "UPDATE orders SET status = %s, updated_at = %s WHERE id = %s",
                (after.status.name, _db_time(after.updated_at), order_id),
            )
            outbox.enqueue(
                cur, topics.ORDER_STATUS_CHANGED, order_status_changed(change)
            )
            _insert_releases(
                cur,
                change.releases,
                order_id,
                f"order {after.status.name.lower()}",
                # Give the caller's immediate attempt a head start on the worker.
                after.updated_at + timedelta(seconds=30),
            )
        self._events_committed()
        return change


def _insert_releases(
    cur: Any,
    releases: Sequence[StockRelease],
    order_id: str | None,
    reason: str,
    first_attempt: datetime,
) -> None:
    if not releases:
        return
    cur.executemany(
        "INSERT INTO stock_releases (order_id, product_id, quantity, reason,"
        " next_attempt_at) VALUES (%s, %s, %s, %s, %s)",
        [
            (order_id, r.product_id, r.quantity, reason[:64], _db_time(first_attempt))
            for r in releases
        ],
    )


def order_created(order: Order) -> events_pb2.OrderCreated:
    return events_pb2.OrderCreated(
        order_id=order.id,
        user_id=order.user_id,
        items=[line_to_proto(line) for line in order.lines],
        total=money_to_proto(order.total),
        created_at=timestamp(order.created_at),
    )


def order_status_changed(change: StatusChange) -> events_pb2.OrderStatusChanged:
    return events_pb2.OrderStatusChanged(
        order_id=change.after.id,
        user_id=change.after.user_id,
        old_status=change.before.status.name,
        new_status=change.after.status.name,
        changed_at=timestamp(change.after.updated_at),
    )


class MySQLStockReleases:
    """Stock releases that must eventually reach product, retried with backoff.

    Each attempt runs in its own transaction holding the row's lock across the
    call to product, so the caller's immediate attempt and the background
    worker never release the same row twice. What remains: if product applied
    a release but the commit marking it done is lost, it is applied again
    (product's ReleaseStock takes no idempotency key).
    """

    def __init__(
        self,
        db: Database,
        inventory: Inventory,
        interval: float = 5.0,
        max_backoff: float = 300.0,
    ) -> None:
        self._db = db
        self._inventory = inventory
        self._interval = interval
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="stock-releases", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=15)

    @_store_errors
    def defer(self, releases: list[StockRelease], reason: str) -> None:
        with _utc(self._db) as cur:
            _insert_releases(
                cur, releases, None, reason, datetime.now(UTC) + timedelta(seconds=1)
            )
        log.warning("deferred %d stock release(s): %s", len(releases), reason)

    def process(self, order_id: str) -> None:
        with _utc(self._db) as cur:
            cur.execute(
                "SELECT id FROM stock_releases WHERE order_id = %s"
                " AND done_at IS NULL ORDER BY id",
                (order_id,),
            )
            ids = [row["id"] for row in cur.fetchall()]
        for release_id in ids:
            self._attempt(release_id, wait=True)

    def process_due(self, batch: int = 100) -> int:
        """One pass of the worker: attempts the releases whose time has come."""
        with _utc(self._db) as cur:
            cur.execute(
                "SELECT id FROM stock_releases WHERE done_at IS NULL"
                " AND next_attempt_at <= CURRENT_TIMESTAMP(6)"
                " ORDER BY next_attempt_at LIMIT %s",
                (batch,),
            )
            ids = [row["id"] for row in cur.fetchall()]
        return sum(self._attempt(release_id, wait=False) for release_id in ids)

    def _attempt(self, release_id: int, wait: bool) -> bool:
        """True when the release is done (or can never be done)."""
        lock = "FOR UPDATE" if wait else "FOR UPDATE SKIP LOCKED"
        with _utc(self._db) as cur:
            cur.execute(
                "SELECT * FROM stock_releases WHERE id = %s AND done_at IS NULL "
                + lock,
                (release_id,),
            )
            row = cur.fetchone()
            if row is None:
                return False
            try:
                self._inventory.release(row["product_id"], int(row["quantity"]))
            except ProductNotFound as err:
                log.error(
                    "stock release %s dropped: %s (%s x%s, %s)",
                    release_id,
                    err,
                    row["product_id"],
                    row["quantity"],
                    row["reason"],
                )
                self._finish(cur, release_id, str(err))
                return True
            except Exception as err:
                attempts = int(row["attempts"]) + 1
                delay = min(2.0**attempts, self._max_backoff)
                log.error(
                    "stock release %s (%s x%s, %s) failed, attempt %d, retry in "
                    "%.0fs: %s",
                    release_id,
                    row["product_id"],
                    row["quantity"],
                    row["reason"],
                    attempts,
                    delay,
                    err,
                )
                cur.execute(
                    "UPDATE stock_releases SET attempts = %s, last_error = %s,"
                    " next_attempt_at = %s WHERE id = %s",
                    (
                        attempts,
                        str(err)[:500],
                        _db_time(datetime.now(UTC) + timedelta(seconds=delay)),
                        release_id,
                    ),
                )
                return False
            self._finish(cur, release_id, None)
            return True

    @staticmethod
    def _finish(cur: Any, release_id: int, error: str | None) -> None:
        cur.execute(
            "UPDATE stock_releases SET done_at = CURRENT_TIMESTAMP(6),"
            " attempts = attempts + 1, last_error = %s WHERE id = %s",
            (error, release_id),
        )

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.process_due()
            except Exception:
                log.exception("stock release pass failed; retrying")


class ProductClient:
    """The product service through our own sidecar (Dapr gRPC proxying).

    Generated types stay here: callers see Reservation and domain errors.
    Calls are not retried: a reservation is not idempotent.
    """

    def __init__(
        self,
        stub: product_pb2_grpc.ProductServiceStub,
        metadata: tuple[tuple[str, str], ...],
        timeout: float,
    ) -> None:
        self._stub = stub
        self._metadata = metadata
        self._timeout = timeout

    def reserve(self, product_id: str, quantity: int) -> Reservation:
        try:
            level = self._stub.ReserveStock(
                product_pb2.ReserveStockRequest(
                    product_id=product_id, quantity=quantity
                ),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        except grpc.RpcError as err:
            raise _product_error(err, product_id, "reserve") from err
        return Reservation(
            product_id=product_id,
            quantity=quantity,
            name=level.name,
            unit_price=Money(level.price.amount, level.price.currency),
        )

    def release(self, product_id: str, quantity: int) -> None:
        try:
            self._stub.ReleaseStock(
                product_pb2.ReleaseStockRequest(
                    product_id=product_id, quantity=quantity
                ),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        except grpc.RpcError as err:
            raise _product_error(err, product_id, "release") from err


def _product_error(err: grpc.RpcError, product_id: str, action: str) -> Exception:
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = (err.details() if hasattr(err, "details") else "") or ""
    if code == grpc.StatusCode.NOT_FOUND:
        return ProductNotFound(product_id)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return OutOfStock(product_id, details)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ValidationError("items", f"product service refused: {details}")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        # The product service may still have applied it; see the report on
        # reservation ids.
        log.warning("%s of %s timed out", action, product_id)
    else:
        log.warning("%s of %s failed: %s %s", action, product_id, code, details)
    return Unavailable("product service", code.name)
