"""The outbox on the real MariaDB: relays in parallel claim with SKIP LOCKED
and send every row once, one key's events in commit order; delivered rows are
kept until the retention passes; the lag is the age of the oldest undelivered
row, and order's readiness body shows it."""

from __future__ import annotations

import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from common import outbox
from common.mysql import Database
from common.outbox_relay import OutboxRelay
from common.outbox_upkeep import OutboxUpkeep
from devmesh import ports
from protos.events.v1 import events_pb2
from tests.integration import backends

pytestmark = [pytest.mark.integration, pytest.mark.lite]


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (event id, key)
        self._mutex = threading.Lock()

    def publish(
        self, topic: str, payload: str, event_id: str, partition_key: str = ""
    ) -> None:
        time.sleep(0.001)  # a publish takes a moment: relays overlap
        with self._mutex:
            self.sent.append((event_id, partition_key))


@pytest.fixture
def database(shared_env: dict[str, str]) -> Iterator[Database]:
    db = Database(backends.mysql_url(shared_env), f"it_outbox_{uuid.uuid4().hex[:8]}")
    db.migrate(outbox.SCHEMA)
    yield db
    with db.transaction() as cur:
        cur.execute(f"DROP DATABASE `{db.database}`")
    db.close()


def enqueue(db: Database, count: int, keys: int) -> list[tuple[str, str]]:
    """(event id, key) in commit order."""
    rows = []
    for n in range(count):
        key = f"order-{n % keys}"
        with db.transaction() as cur:
            event = outbox.enqueue(
                cur, "order-created", events_pb2.OrderCreated(order_id=key), key
            )
        rows.append((event, key))
    return rows


def test_three_relays_send_each_row_once_and_each_key_in_order(
    database: Database,
) -> None:
    committed = enqueue(database, 240, keys=12)
    recorder = Recorder()
    relays = [
        OutboxRelay(outbox.MySQLOutbox(database, batch=10), recorder) for _ in range(3)
    ]

    def drain(relay: OutboxRelay) -> None:
        deadline = time.monotonic() + 60
        while len(recorder.sent) < 240 and time.monotonic() < deadline:
            relay.drain_once()

    threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(recorder.sent) == sorted(committed)  # all, none twice
    position = {event: n for n, (event, _) in enumerate(committed)}
    for key in {k for _, k in committed}:
        sent = [position[e] for e, k in recorder.sent if k == key]
        assert sent == sorted(sent), key
    with database.transaction() as cur:
        cur.execute(
            "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NOT NULL"
            " AND claimed_until IS NULL"
        )
        assert cur.fetchone()["n"] == 240  # marked, not deleted


def test_lag_is_the_oldest_undelivered_row_and_purge_keeps_recent_ones(
    database: Database,
) -> None:
    upkeep = OutboxUpkeep(database, retention_seconds=1.0)
    assert upkeep.lag().pending == 0
    enqueue(database, 3, keys=3)
    time.sleep(0.3)
    lag = upkeep.lag()
    assert lag.pending == 3 and 0.3 <= lag.oldest_seconds < 30
    OutboxRelay(outbox.MySQLOutbox(database), Recorder()).drain_once()
    assert upkeep.lag().pending == 0
    assert upkeep.purge() == 0  # delivered a moment ago: kept
    time.sleep(1.2)
    assert upkeep.purge() == 3


def test_orders_metrics_show_the_outbox_lag(shared_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{ports.load().apps['order'].app_metrics}/metrics"
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    samples = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line.startswith("daprshop_outbox_")
    }
    assert samples["daprshop_outbox_pending"] >= 0
    assert samples["daprshop_outbox_lag_seconds"] >= 0
