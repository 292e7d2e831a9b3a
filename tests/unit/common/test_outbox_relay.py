"""The outbox relay over an in-memory outbox that claims like the MySQL one:
several relays share it without sending a row twice, events of one key go out
in order, delivered rows are marked (not deleted), failures give rows back."""

from __future__ import annotations

import threading
from typing import Any

from common.outbox_relay import OutboxRelay


class FakeOutbox:
    """Rows with claims; `claim` hands out unclaimed, undelivered rows in order."""

    def __init__(self, batch: int = 100) -> None:
        self.rows: list[dict[str, Any]] = []
        self.delivered: set[int] = set()
        self.claims: dict[int, str] = {}
        self.batch = batch
        self._mutex = threading.Lock()

    def add(self, topic: str, key: str) -> int:
        seq = len(self.rows) + 1
        self.rows.append(
            {
                "seq": seq,
                "event_id": f"e-{seq}",
                "topic": topic,
                "payload": "{}",
                "partition_key": key,
            }
        )
        return seq

    def claim(self, owner: str) -> list[dict[str, Any]]:
        with self._mutex:
            free = [
                r
                for r in self.rows
                if r["seq"] not in self.delivered and r["seq"] not in self.claims
            ][: self.batch]
            for row in free:
                self.claims[row["seq"]] = owner
            return [dict(r) for r in free]

    def earliest_foreign(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        mine = {r["seq"] for r in rows}
        keys = {r["partition_key"] for r in rows if r["partition_key"]}
        earliest: dict[str, int] = {}
        for row in self.rows:
            key = row["partition_key"]
            if (
                key in keys
                and row["seq"] not in self.delivered
                and row["seq"] not in mine
                and row["seq"] < max(mine)
            ):
                earliest.setdefault(key, row["seq"])
        return earliest

    def mark_delivered(self, seq: int) -> None:
        with self._mutex:
            self.delivered.add(seq)
            self.claims.pop(seq, None)

    def unclaim(self, owner: str) -> None:
        with self._mutex:
            for seq in [s for s, o in self.claims.items() if o == owner]:
                del self.claims[seq]


class Publisher:
    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail_on = fail_on or set()
        self._mutex = threading.Lock()

    def publish(
        self, topic: str, payload: str, event_id: str, partition_key: str = ""
    ) -> None:
        if event_id in self.fail_on:
            raise ConnectionError("sidecar down")
        with self._mutex:
            self.sent.append((topic, event_id, partition_key))


def test_rows_go_out_with_their_key_and_are_marked_not_deleted() -> None:
    outbox, publisher = FakeOutbox(), Publisher()
    outbox.add("order-created", "o-1")
    outbox.add("user-created", "u-1")
    assert OutboxRelay(outbox, publisher).drain_once() == 2
    assert publisher.sent == [
        ("order-created", "e-1", "o-1"),
        ("user-created", "e-2", "u-1"),
    ]
    assert outbox.delivered == {1, 2} and len(outbox.rows) == 2
    assert OutboxRelay(outbox, publisher).drain_once() == 0


def test_a_failed_publish_ends_the_batch_and_gives_the_rows_back() -> None:
    outbox, publisher = FakeOutbox(), Publisher(fail_on={"e-2"})
    for key in ("a", "b", "c"):
        outbox.add("t", key)
    relay = OutboxRelay(outbox, publisher)
    assert relay.drain_once() == 1
    assert outbox.claims == {}  # nothing stays claimed by a live relay
    publisher.fail_on.clear()
    assert relay.drain_once() == 2
    assert [event for _, event, _ in publisher.sent] == ["e-1", "e-2", "e-3"]


def test_an_event_waits_while_an_earlier_one_of_its_key_is_held_elsewhere() -> None:
    outbox, publisher = FakeOutbox(batch=1), Publisher()
    outbox.add("order-created", "o-1")
    other = outbox.claim("another relay")  # holds e-1, has not published it yet
    outbox.add("order-status-changed", "o-1")
    outbox.add("order-created", "o-2")
    relay = OutboxRelay(outbox, publisher)
    outbox.batch = 100
    assert relay.drain_once() == 1  # o-2 goes, o-1's second event waits
    assert publisher.sent == [("order-created", "e-3", "o-2")]
    outbox.mark_delivered(other[0]["seq"])  # the other relay delivered e-1
    assert relay.drain_once() == 1
    assert publisher.sent[-1] == ("order-status-changed", "e-2", "o-1")


def test_several_relays_send_every_row_exactly_once_in_key_order() -> None:
    outbox, publisher = FakeOutbox(batch=7), Publisher()
    for n in range(300):
        outbox.add("t", f"k-{n % 11}")
    relays = [OutboxRelay(outbox, publisher) for _ in range(4)]

    def drain(relay: OutboxRelay) -> None:
        while len(outbox.delivered) < 300:
            relay.drain_once()

    threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    events = [event for _, event, _ in publisher.sent]
    assert sorted(events) == sorted(f"e-{n}" for n in range(1, 301))
    per_key: dict[str, list[int]] = {}
    for _, event, key in publisher.sent:
        per_key.setdefault(key, []).append(int(event[2:]))
    assert all(seqs == sorted(seqs) for seqs in per_key.values())
