"""Outbox housekeeping: purge delivered rows after their retention, and the lag.

The lag is the age of the oldest undelivered event (0 when none waits): how
far the relays are behind. It is logged by every upkeep pass that finds one,
and `lag_figures` hands the same figures to a metrics reader.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from common.mysql import Database

log = logging.getLogger(__name__)

PURGE_BATCH = 1000


@dataclass(frozen=True)
class Lag:
    pending: int
    oldest_seconds: float


class OutboxUpkeep:
    def __init__(self, db: Database, retention_seconds: float) -> None:
        self._db = db
        self._retention = retention_seconds

    def lag(self) -> Lag:
        with self._db.transaction() as cur:
            cur.execute(
                "SELECT COUNT(*) AS pending, TIMESTAMPDIFF(MICROSECOND,"
                " MIN(created_at), NOW(6)) AS age FROM outbox"
                " WHERE published_at IS NULL"
            )
            row = cur.fetchone()
        age = row["age"] if row and row["age"] is not None else 0
        return Lag(int(row["pending"] if row else 0), max(0.0, int(age) / 1e6))

    def lag_figures(self) -> dict[str, float]:
        lag = self.lag()
        return {"pending": lag.pending, "oldest_seconds": round(lag.oldest_seconds, 3)}

    def purge(self) -> int:
        """Deletes delivered rows older than the retention; returns how many."""
        purged = 0
        while True:
            with self._db.transaction() as cur:
                cur.execute(
                    "DELETE FROM outbox WHERE published_at IS NOT NULL"
                    " AND published_at < NOW(6) - INTERVAL %s MICROSECOND"
                    " LIMIT %s",
                    (int(self._retention * 1e6), PURGE_BATCH),
                )
                count = int(cur.rowcount)
            purged += count
            if count < PURGE_BATCH:
                return purged

    def run_once(self) -> None:
        """One pass: purge, then report the lag if events are waiting."""
        purged = self.purge()
        if purged:
            log.info("outbox: purged %d delivered event(s)", purged)
        lag = self.lag()
        if lag.pending:
            log.info(
                "outbox lag: %d undelivered, oldest %.1fs",
                lag.pending,
                lag.oldest_seconds,
            )
