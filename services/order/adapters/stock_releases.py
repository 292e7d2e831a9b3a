"""Stock follow-ups that must eventually reach product (the `PendingReleases` port).

Rows live in the `stock_releases` table, each a commit or a release of one
reservation id: the repository writes the commits of a placed order with the
order, and the releases of a cancel with the status change; `defer` writes
those of a placement whose immediate release failed. A background worker
retries them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from common.mysql import Database
from services.order.adapters.database import db_time, store_errors, utc_transaction
from services.order.domain import (
    Order,
    ProductNotFound,
    ReservationLost,
    StockRelease,
)
from services.order.service import Inventory

log = logging.getLogger(__name__)


def insert_releases(
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
        " reservation_id, next_attempt_at) VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (
                order_id,
                r.product_id,
                r.quantity,
                reason[:64],
                r.reservation_id,
                db_time(first_attempt),
            )
            for r in releases
        ],
    )


def insert_commits(cur: Any, order: Order, first_attempt: datetime) -> None:
    """The commits of a placed order's reservations, to be processed."""
    cur.executemany(
        "INSERT INTO stock_releases (order_id, product_id, quantity, reason,"
        " reservation_id, action, next_attempt_at)"
        " VALUES (%s, %s, %s, 'order placed', %s, 'commit', %s)",
        [
            (
                order.id,
                line.product_id,
                line.quantity,
                line.reservation_id,
                db_time(first_attempt),
            )
            for line in order.lines
        ],
    )


class MySQLStockReleases:
    """Stock commits and releases that must eventually reach product, retried
    with backoff.

    Each attempt runs in its own transaction holding the row's lock across the
    call to product, so the caller's immediate attempt and the background
    worker do not both send it; should the mark "done" be lost after product
    applied it, the repeat changes nothing there (it names the reservation id).
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

    @store_errors
    def defer(self, releases: list[StockRelease], reason: str) -> None:
        with utc_transaction(self._db) as cur:
            insert_releases(
                cur, releases, None, reason, datetime.now(UTC) + timedelta(seconds=1)
            )
        log.warning("deferred %d stock release(s): %s", len(releases), reason)

    def process(self, order_id: str) -> None:
        with utc_transaction(self._db) as cur:
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
        with utc_transaction(self._db) as cur:
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
        with utc_transaction(self._db) as cur:
            cur.execute(
                "SELECT * FROM stock_releases WHERE id = %s AND done_at IS NULL "
                + lock,
                (release_id,),
            )
            row = cur.fetchone()
            if row is None:
                return False
            try:
                self._apply(row)
            except ReservationLost as err:
                log.critical(
                    "stock %s %s of order %s: %s (%s x%s); the order is not"
                    " covered by stock",
                    row["action"],
                    release_id,
                    row["order_id"],
                    err,
                    row["product_id"],
                    row["quantity"],
                )
                self._finish(cur, release_id, str(err))
                return True
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
                        db_time(datetime.now(UTC) + timedelta(seconds=delay)),
                        release_id,
                    ),
                )
                return False
            self._finish(cur, release_id, None)
            return True

    def _apply(self, row: dict[str, Any]) -> None:
        reservation = row["reservation_id"]
        if not reservation:  # a row written before reservation ids
            raise ProductNotFound(f"{row['product_id']} (no reservation id)")
        if row["action"] == "commit":
            self._inventory.commit(reservation, row["product_id"])
        else:
            self._inventory.release(reservation, row["product_id"])

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
