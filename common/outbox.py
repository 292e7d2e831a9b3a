"""Transactional outbox: an event row commits with the data it describes.

`enqueue` writes the event inside the caller's transaction; `OutboxRelay`
publishes pending rows through the Dapr sidecar and marks them sent. If the
process dies between publishing and marking, the row is published again with
the same CloudEvent id, and subscribers drop the duplicate.

Each row keeps the trace context it was written in (`traceparent`); the relay
publishes it inside that trace, so the sidecar's publish, the broker hop and
every consumer continue the operation that caused the event.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any, Protocol

from google.protobuf.message import Message

from common import events, tracing
from common.mysql import Database

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq BIGINT AUTO_INCREMENT PRIMARY KEY,
    event_id CHAR(36) NOT NULL UNIQUE,
    topic VARCHAR(128) NOT NULL,
    payload JSON NOT NULL,
    created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    published_at TIMESTAMP(6) NULL,
    traceparent VARCHAR(55) NULL,
    INDEX pending (published_at, seq)
)
"""
# Tables made before the column existed get it at start (idempotent DDL).
MIGRATIONS = (
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS traceparent VARCHAR(55) NULL",
)


class Publisher(Protocol):
    def publish(self, topic: str, payload: str, event_id: str) -> None: ...


def enqueue(cur: Any, topic: str, message: Message) -> str:
    event_id = str(uuid.uuid4())
    cur.execute(
        "INSERT INTO outbox (event_id, topic, payload, traceparent)"
        " VALUES (%s, %s, %s, %s)",
        (event_id, topic, events.encode(message), tracing.current_traceparent()),
    )
    return event_id


class OutboxRelay:
    """Background thread that drains the outbox in commit order."""

    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        interval: float = 0.2,
        batch: int = 100,
    ) -> None:
        self._db = db
        self._publisher = publisher
        self._interval = interval
        self._batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="outbox-relay", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        """Call after a commit that enqueued events, to publish them at once."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.drain_once()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.drain_once()
            except Exception:
                log.exception("outbox relay failed; retrying")
                sent = 0
            if sent < self._batch:
                self._wake.wait(self._interval if sent else self._interval * 5)
                self._wake.clear()

    def drain_once(self) -> int:
        with self._db.transaction() as cur:
            cur.execute(
                "SELECT seq, event_id, topic, payload, traceparent FROM outbox "
                "WHERE published_at IS NULL ORDER BY seq LIMIT %s",
                (self._batch,),
            )
            rows = cur.fetchall()
        sent = 0
        for row in rows:
            try:
                with tracing.continue_trace(
                    f"publish {row['topic']}", row.get("traceparent"), "PRODUCER"
                ):
                    self._publisher.publish(
                        row["topic"], row["payload"], row["event_id"]
                    )
            except Exception as err:
                log.warning(
                    "publish of %s to %s failed: %s", row["event_id"], row["topic"], err
                )
                break
            with self._db.transaction() as cur:
                cur.execute(
                    "UPDATE outbox SET published_at = CURRENT_TIMESTAMP(6) "
                    "WHERE seq = %s",
                    (row["seq"],),
                )
            sent += 1
        return sent


def backlog(db: Database) -> tuple[int, float]:
    """Rows not yet published, and the age in seconds of the oldest."""
    with db.transaction() as cur:
        cur.execute(
            "SELECT COUNT(*) AS pending, TIMESTAMPDIFF(MICROSECOND, MIN(created_at),"
            " CURRENT_TIMESTAMP(6)) AS lag_us FROM outbox WHERE published_at IS NULL"
        )
        row = cur.fetchone()
    return int(row["pending"]), float(row["lag_us"] or 0) / 1e6
