"""Order's MariaDB, read directly: what was really committed, whatever the
callers were told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.mysql import Database
from tests.integration import backends


@dataclass(frozen=True)
class StoredOrder:
    id: str
    idempotency_key: str
    lines: int
    created_events: int  # its order-created rows in the outbox
    commits: int  # its stock commit rows (to be processed)


def _db(shared_env: dict[str, str]) -> Database:
    return Database(backends.mysql_url(shared_env), "shop_orders")


def _in(values: list[str] | set[str]) -> str:
    return ", ".join(["%s"] * len(values))


def orders_of(shared_env: dict[str, str], user_id: str) -> list[StoredOrder]:
    """Every order of this user, with what commits with an order."""
    db = _db(shared_env)
    try:
        with db.transaction() as cur:
            cur.execute(
                "SELECT o.id, o.idempotency_key,"
                " (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id)"
                "   item_lines,"
                " (SELECT COUNT(*) FROM outbox x WHERE x.partition_key = o.id"
                "   AND x.topic = 'order-created') created_events,"
                " (SELECT COUNT(*) FROM stock_releases r WHERE r.order_id = o.id"
                "   AND r.action = 'commit') commits"
                " FROM orders o WHERE o.user_id = %s",
                (user_id,),
            )
            return [
                StoredOrder(
                    row["id"],
                    row["idempotency_key"],
                    int(row["item_lines"]),
                    int(row["created_events"]),
                    int(row["commits"]),
                )
                for row in cur.fetchall()
            ]
    finally:
        db.close()


def outbox_rows(
    shared_env: dict[str, str], order_ids: set[str]
) -> list[dict[str, Any]]:
    """The outbox rows of these orders: event id, topic, which relay claimed
    it last, when it was committed and when delivered (UTC)."""
    if not order_ids:
        return []
    db = _db(shared_env)
    try:
        with db.transaction() as cur:
            cur.execute(
                "SELECT event_id, topic, partition_key, claimed_by, created_at,"
                f" published_at FROM outbox WHERE partition_key IN ({_in(order_ids)})",
                list(order_ids),
            )
            return list(cur.fetchall())
    finally:
        db.close()


def seconds(later: datetime | None, earlier: datetime) -> float:
    return -1.0 if later is None else (later - earlier).total_seconds()
