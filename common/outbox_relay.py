"""The outbox relay: a background thread that publishes pending outbox rows.

See common/outbox.py for the table and the guarantees; this module holds the
loop and the rule that keeps events of one key in order.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any, Protocol

from common.outbox import Publisher

log = logging.getLogger(__name__)


class OutboxStore(Protocol):
    def claim(self, owner: str) -> list[dict[str, Any]]: ...
    def earliest_foreign(self, rows: list[dict[str, Any]]) -> dict[str, int]: ...
    def mark_delivered(self, seq: int) -> None: ...
    def unclaim(self, owner: str) -> None: ...


class OutboxRelay:
    """Drains the outbox, beside any other replicas' relays."""

    def __init__(
        self,
        store: OutboxStore,
        publisher: Publisher,
        interval: float = 0.2,
        batch: int = 100,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._interval = interval
        self._batch = batch
        self._me = uuid.uuid4().hex
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
        """Claims a batch, publishes what may go now, returns how many went.

        A failed publish ends the batch (the sidecar or the broker is down);
        what was claimed and not delivered is given back at once.
        """
        rows = self._store.claim(self._me)
        if not rows:
            return 0
        earliest = self._store.earliest_foreign(rows)
        sent, waiting = 0, set[str]()
        try:
            for row in rows:
                key = row["partition_key"]
                if key in waiting or row["seq"] > earliest.get(key, row["seq"]):
                    waiting.add(key)  # an earlier event of this key has not gone
                    continue
                if not self._publish(row):
                    break
                self._store.mark_delivered(row["seq"])
                sent += 1
        finally:
            self._store.unclaim(self._me)
        return sent

    def _publish(self, row: dict[str, Any]) -> bool:
        try:
            self._publisher.publish(
                row["topic"], row["payload"], row["event_id"], row["partition_key"]
            )
        except Exception as err:
            log.warning(
                "publish of %s to %s failed: %s", row["event_id"], row["topic"], err
            )
            return False
        return True
