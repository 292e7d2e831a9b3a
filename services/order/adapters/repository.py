"""Orders in MySQL (the `OrderRepository` port); every change commits its event.

An order, its lines and its `order-created` event are stored in one
transaction (the outbox); a status change, its `order-status-changed` event
and the stock releases it implies likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pymysql

from common import crash_point, outbox, topics
from common.mysql import Database
from services.order.adapters.database import (
    DUPLICATE_KEY,
    aware,
    db_time,
    store_errors,
    utc_transaction,
)
from services.order.adapters.stock_releases import insert_commits, insert_releases
from services.order.domain import (
    DuplicateOrder,
    Money,
    Order,
    OrderLine,
    OrderNotFound,
    OrderStatus,
    StatusChange,
)
from services.order.messages import order_created, order_status_changed
from services.order.paging import Cursor


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
                    reservation_id=line["reservation_id"],
                )
                for line in lines
            ),
            total=Money(int(row["total_amount"]), row["currency"]),
            idempotency_key=row["idempotency_key"],
            created_at=aware(row["created_at"]),
            updated_at=aware(row["updated_at"]),
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

    @store_errors
    def get(self, order_id: str) -> Order | None:
        with utc_transaction(self._db) as cur:
            return self._one(cur, "id = %s", (order_id,))

    @store_errors
    def find_by_key(self, user_id: str, idempotency_key: str) -> Order | None:
        with utc_transaction(self._db) as cur:
            return self._one(
                cur, "user_id = %s AND idempotency_key = %s", (user_id, idempotency_key)
            )

    @store_errors
    def add(self, order: Order) -> None:
        try:
            with utc_transaction(self._db) as cur:
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
                        db_time(order.created_at),
                        db_time(order.updated_at),
                    ),
                )
                cur.executemany(
                    "INSERT INTO order_items (order_id, line_no, product_id,"
                    " product_name, quantity, unit_amount, currency, reservation_id)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            order.id,
                            number,
                            line.product_id,
                            line.product_name,
                            line.quantity,
                            line.unit_price.amount,
                            line.unit_price.currency,
                            line.reservation_id,
                        )
                        for number, line in enumerate(order.lines, start=1)
                    ],
                )
                # The caller commits them at once; the worker if that fails.
                insert_commits(cur, order, order.created_at + timedelta(seconds=30))
                outbox.enqueue(
                    cur, topics.ORDER_CREATED, order_created(order), order.id
                )
        except pymysql.err.IntegrityError as err:
            if err.args and err.args[0] == DUPLICATE_KEY:
                raise DuplicateOrder(order.user_id, order.idempotency_key) from err
            raise
        # Test only (tests/faults F8), inert unless armed: die before publishing.
        crash_point.reached("after-commit", order.idempotency_key)
        self._events_committed()

    @store_errors
    def list_for_user(
        self, user_id: str, limit: int, after: Cursor | None, backward: bool = False
    ) -> list[Order]:
        # Backward reads oldest first from the cursor, its own order included.
        order = "ASC" if backward else "DESC"
        beyond = "(created_at > %s OR (created_at = %s AND id >= %s))"
        if not backward:
            beyond = "(created_at < %s OR (created_at = %s AND id < %s))"
        where = "user_id = %s"
        args: list[object] = [user_id]
        if after is not None:
            moment = db_time(after.created_at)
            where = f"{where} AND {beyond}"
            args += [moment, moment, after.order_id]
        with utc_transaction(self._db) as cur:
            cur.execute(
                f"SELECT * FROM orders WHERE {where}"
                f" ORDER BY created_at {order}, id {order} LIMIT %s",
                (*args, limit),
            )
            return self._load(cur, cur.fetchall())

    @store_errors
    def change_status(
        self, order_id: str, decide: Callable[[Order], StatusChange]
    ) -> StatusChange:
        with utc_transaction(self._db) as cur:
            order = self._one(cur, "id = %s FOR UPDATE", (order_id,))
            if order is None:
                raise OrderNotFound(order_id)
            change = decide(order)
            if not change.changed:
                return change
            after = change.after
            cur.execute(
                "UPDATE orders SET status = %s, updated_at = %s WHERE id = %s",
                (after.status.name, db_time(after.updated_at), order_id),
            )
            outbox.enqueue(
                cur,
                topics.ORDER_STATUS_CHANGED,
                order_status_changed(change),
                order_id,
            )
            insert_releases(
                cur,
                change.releases,
                order_id,
                f"order {after.status.name.lower()}",
                # Give the caller's immediate attempt a head start on the worker.
                after.updated_at + timedelta(seconds=30),
            )
        self._events_committed()
        return change
