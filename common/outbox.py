"""Transactional outbox: an event row commits with the data it describes.

`enqueue` writes the event inside the caller's transaction, with its aggregate
id (an order's, a user's) as partition key. `OutboxRelay`
(common/outbox_relay.py) publishes pending rows through the Dapr sidecar, over
`MySQLOutbox`; several replicas of a service may relay the same table:

- a relay *claims* a batch in a short transaction (`SELECT … FOR UPDATE SKIP
  LOCKED`, then a claim with a lease), so two relays never hold one row; a
  claim left by a relay that died expires after `claim_seconds`;
- rows of one aggregate are published in commit order: a row waits while an
  earlier row of its key is undelivered and not in the same batch;
- each row is published with its key as Dapr's `partitionKey` (one Kafka
  partition per aggregate) and its id as the CloudEvent id, then marked
  delivered. Should a relay die between the two, the row goes out again with
  the same id, and subscribers drop the duplicate.

Delivered rows stay for `retention` (see common/outbox_upkeep.py), then are
purged.

Each row keeps the trace context it was written in (`traceparent`); the relay
publishes it inside that trace, so the sidecar's publish, the broker hop and
every consumer continue the operation that caused the event.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

import pymysql
from google.protobuf.message import Message

from common import events, tracing
from common.mysql import Database

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS outbox (
        seq BIGINT AUTO_INCREMENT PRIMARY KEY,
        event_id CHAR(36) NOT NULL UNIQUE,
        topic VARCHAR(128) NOT NULL,
        payload JSON NOT NULL,
        partition_key VARCHAR(128) NOT NULL DEFAULT '',
        created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        claimed_by CHAR(32) NULL,
        claimed_until TIMESTAMP(6) NULL,
        published_at TIMESTAMP(6) NULL,
        traceparent VARCHAR(55) NULL,
        INDEX pending (published_at, seq),
        INDEX by_key (partition_key, published_at, seq)
    )
    """,
    # Tables made before partition keys and claims.
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS"
    " partition_key VARCHAR(128) NOT NULL DEFAULT ''",
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_by CHAR(32) NULL",
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_until TIMESTAMP(6) NULL",
    "CREATE INDEX IF NOT EXISTS by_key ON outbox (partition_key, published_at, seq)",
    # Tables made before rows kept their trace.
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS traceparent VARCHAR(55) NULL",
)


class Publisher(Protocol):
    def publish(
        self, topic: str, payload: str, event_id: str, partition_key: str = ""
    ) -> None: ...


def enqueue(cur: Any, topic: str, message: Message, partition_key: str) -> str:
    """Adds an event to the caller's transaction; `partition_key` is the id of
    the aggregate it is about (events of one key keep their order)."""
    event_id = str(uuid.uuid4())
    cur.execute(
        "INSERT INTO outbox (event_id, topic, payload, partition_key, traceparent)"
        " VALUES (%s, %s, %s, %s, %s)",
        (
            event_id,
            topic,
            events.encode(message),
            partition_key[:128],
            tracing.current_traceparent(),
        ),
    )
    return event_id


# MySQL errors that mean "run the transaction again": deadlock, lock wait.
RETRYABLE = (1213, 1205)
MARK_ATTEMPTS = 5


class MySQLOutbox:
    """The outbox table as relays use it: claim, look back, mark, give back.

    `owner` names the relay (one per process) in its claims.
    """

    def __init__(self, db: Database, batch: int = 100, claim_seconds: int = 30) -> None:
        self._db = db
        self._batch = batch
        self._claim_seconds = claim_seconds

    def claim(self, owner: str) -> list[dict[str, Any]]:
        """Up to a batch of undelivered, unclaimed rows, claimed for `owner`."""
        with self._db.transaction() as cur:
            cur.execute(
                "SELECT seq FROM outbox WHERE published_at IS NULL"
                " AND (claimed_until IS NULL OR claimed_until < NOW(6))"
                " ORDER BY seq LIMIT %s FOR UPDATE SKIP LOCKED",
                (self._batch,),
            )
            seqs = [row["seq"] for row in cur.fetchall()]
            if not seqs:
                return []
            marks = ", ".join(["%s"] * len(seqs))
            cur.execute(
                "UPDATE outbox SET claimed_by = %s,"
                " claimed_until = NOW(6) + INTERVAL %s SECOND"
                f" WHERE seq IN ({marks})",
                (owner, self._claim_seconds, *seqs),
            )
            cur.execute(
                "SELECT seq, event_id, topic, payload, partition_key, traceparent"
                " FROM outbox"
                f" WHERE seq IN ({marks}) ORDER BY seq",
                seqs,
            )
            return list(cur.fetchall())

    def earliest_foreign(self, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Per key of the batch, the oldest undelivered event of that key that
        is not in the batch (another relay holds it, or it failed before):
        this batch's later events of the key wait for it."""
        mine = {row["seq"] for row in rows}
        keys = sorted({row["partition_key"] for row in rows if row["partition_key"]})
        if not keys:
            return {}
        marks = ", ".join(["%s"] * len(keys))
        with self._db.transaction() as cur:
            cur.execute(
                "SELECT partition_key, seq FROM outbox WHERE published_at IS NULL"
                f" AND partition_key IN ({marks}) AND seq < %s ORDER BY seq",
                (*keys, max(mine)),
            )
            earlier = cur.fetchall()
        earliest: dict[str, int] = {}
        for row in earlier:
            if row["seq"] not in mine:
                earliest.setdefault(row["partition_key"], row["seq"])
        return earliest

    def mark_delivered(self, seq: int) -> None:
        """Delivered rows stay until the upkeep purges them.

        InnoDB may pick this update as a deadlock victim against another
        relay's claim (error 1213, "try restarting transaction"): it is
        retried, since giving up would hand a published row back to the
        relays and send it twice."""
        for attempt in range(MARK_ATTEMPTS):
            try:
                with self._db.transaction() as cur:
                    cur.execute(
                        "UPDATE outbox SET published_at = NOW(6), claimed_until = NULL"
                        " WHERE seq = %s",
                        (seq,),
                    )
                return
            except pymysql.err.OperationalError as err:
                if err.args[0] not in RETRYABLE or attempt == MARK_ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

    def unclaim(self, owner: str) -> None:
        """Gives back what `owner` claimed but did not deliver."""
        with self._db.transaction() as cur:
            cur.execute(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL"
                " WHERE claimed_by = %s AND published_at IS NULL",
                (owner,),
            )


def backlog(db: Database) -> tuple[int, float]:
    """Rows not yet published, and the age in seconds of the oldest."""
    with db.transaction() as cur:
        cur.execute(
            "SELECT COUNT(*) AS pending, TIMESTAMPDIFF(MICROSECOND, MIN(created_at),"
            " CURRENT_TIMESTAMP(6)) AS lag_us FROM outbox WHERE published_at IS NULL"
        )
        row = cur.fetchone()
    return int(row["pending"]), float(row["lag_us"] or 0) / 1e6
