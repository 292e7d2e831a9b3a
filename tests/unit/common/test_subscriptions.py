"""Subscription outcomes and at-most-once side effects, over an in-memory ledger."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from cloudevents.sdk.event import v1

from common.events import Envelope, PoisonEvent
from common.sidecar import AlreadyClaimed
from common.subscriptions import (
    InFlight,
    Once,
    Outcome,
    handler,
    subscribe,
)


class FakeLedger:
    """First-write claims like the Redis store behind EventLedger (TTL ignored)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.lock = threading.Lock()
        self.down = False

    def seen(self, key: str) -> bool:
        return key in self.values

    def claim(self, key: str, value: str = "1", ttl_seconds: int | None = None):
        with self.lock:
            if key in self.values:
                raise AlreadyClaimed(key)
            self.values[key] = value

    def mark(self, key: str, value: str = "done") -> None:
        if self.down:
            raise ConnectionError("state store down")
        self.values[key] = value

    def release(self, key: str) -> None:
        self.values.pop(key, None)


def sdk_event(data: Any, event_id: str = "ev-1", topic: str = "t") -> v1.Event:
    event = v1.Event()
    event.SetEventID(event_id)
    event.SetData(data if isinstance(data, bytes) else json.dumps(data).encode())
    event.SetSubject(topic)
    event.SetExtensions({})
    return event


def status(response: Any) -> str:
    return str(response.status.name)


# --- Once ---------------------------------------------------------------------


def test_once_runs_an_action_a_single_time_per_key() -> None:
    once, calls = Once(FakeLedger()), []
    assert once.run("email:1", lambda: calls.append(1)) is True
    assert once.run("email:1", lambda: calls.append(2)) is False
    assert once.run("email:2", lambda: calls.append(3)) is True
    assert calls == [1, 3]


def test_a_failed_action_releases_its_lease_so_a_retry_runs_it() -> None:
    once, calls = Once(FakeLedger()), []

    def fail() -> None:
        raise ConnectionError("smtp down")

    with pytest.raises(ConnectionError):
        once.run("k", fail)
    assert once.run("k", lambda: calls.append("sent")) is True
    assert calls == ["sent"]


def test_a_lease_held_elsewhere_means_in_flight() -> None:
    ledger = FakeLedger()
    ledger.claim("lease:k")  # another delivery is sending right now
    with pytest.raises(InFlight):
        Once(ledger).run("k", lambda: None)


def test_concurrent_deliveries_run_the_action_once() -> None:
    once, calls = Once(FakeLedger()), []
    barrier = threading.Barrier(8)
    results: list[str] = []

    def deliver() -> None:
        barrier.wait()
        try:
            once.run("k", lambda: calls.append(1))
            results.append("ok")
        except InFlight:
            results.append("in flight")

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    assert len(results) == 8


def test_an_unwritten_done_marker_still_counts_as_sent_and_keeps_the_lease() -> None:
    ledger, calls, slept = FakeLedger(), [], []
    ledger.down = True
    once = Once(ledger, mark_retry_seconds=3, sleep=slept.append)
    assert once.run("k", lambda: calls.append(1)) is True
    assert sum(slept) >= 3  # it kept trying for the whole retry window
    ledger.down = False
    with pytest.raises(InFlight):  # the lease blocks a repeat until it expires
        Once(ledger).run("k", lambda: calls.append(2))
    assert calls == [1]


def test_the_done_marker_is_written_once_the_store_is_back() -> None:
    """The sidecar restarting under a finished send (fault F2): the marker
    waits for it, so a redelivery after the lease finds the send done."""
    ledger, calls = FakeLedger(), []
    ledger.down = True

    def store_returns(seconds: float) -> None:
        ledger.down = False

    once = Once(ledger, sleep=store_returns)
    assert once.run("k", lambda: calls.append(1)) is True
    ledger.release("lease:k")  # the lease expired
    assert Once(ledger).run("k", lambda: calls.append(2)) is False
    assert calls == [1]


# --- handler ------------------------------------------------------------------


class Unknown(Exception):
    pass


def test_outcomes_map_to_dapr_statuses() -> None:
    seen: list[Envelope] = []

    @handler(drop_on=(Unknown,))
    def ok(envelope: Envelope) -> None:
        seen.append(envelope)

    @handler(drop_on=(Unknown,))
    def unknown(envelope: Envelope) -> None:
        raise Unknown("no such user")

    @handler()
    def poison(envelope: Envelope) -> None:
        raise PoisonEvent("missing field")

    @handler()
    def broken_dependency(envelope: Envelope) -> None:
        raise ConnectionError("down")

    @handler()
    def asks_retry(envelope: Envelope) -> Outcome:
        return Outcome.RETRY

    event = sdk_event({"orderId": "o1"}, topic="order-created")
    assert status(ok(event)) == "success"
    assert seen[0].id == "ev-1"
    assert seen[0].data == {"orderId": "o1"}
    assert seen[0].topic == "order-created"
    assert status(unknown(event)) == "drop"
    assert status(poison(event)) == "drop"
    assert status(broken_dependency(event)) == "retry"
    assert status(asks_retry(event)) == "retry"


def test_undecodable_events_are_dropped_without_calling_the_handler() -> None:
    calls = []

    @handler()
    def fn(envelope: Envelope) -> None:
        calls.append(envelope)

    assert status(fn(sdk_event(b"not json"))) == "drop"
    assert status(fn(sdk_event([1, 2]))) == "drop"
    assert calls == []


def test_with_once_a_redelivered_event_is_handled_once() -> None:
    calls = []
    once = Once(FakeLedger())

    @handler(once=once)
    def fn(envelope: Envelope) -> None:
        calls.append(envelope.id)

    assert status(fn(sdk_event({}, "a"))) == "success"
    assert status(fn(sdk_event({}, "a"))) == "success"
    assert status(fn(sdk_event({}, "b"))) == "success"
    assert calls == ["a", "b"]


def test_with_once_a_retry_is_not_remembered_as_done() -> None:
    attempts = []
    once = Once(FakeLedger())

    @handler(once=once)
    def fn(envelope: Envelope) -> Outcome | None:
        attempts.append(1)
        return Outcome.RETRY if len(attempts) == 1 else None

    assert status(fn(sdk_event({}))) == "retry"
    assert status(fn(sdk_event({}))) == "success"
    assert status(fn(sdk_event({}))) == "success"
    assert len(attempts) == 2


def test_in_flight_elsewhere_is_retried() -> None:
    ledger = FakeLedger()
    ledger.claim("lease:fn:ev-1")

    @handler(once=Once(ledger))
    def fn(envelope: Envelope) -> None:
        raise AssertionError("must not run")

    assert status(fn(sdk_event({}))) == "retry"


def test_subscribe_always_sets_the_dead_letter_topic() -> None:
    registered: list[tuple[str, str, str | None]] = []

    class App:
        def subscribe(self, pubsub: str, topic: str, dead_letter_topic=None):
            registered.append((pubsub, topic, dead_letter_topic))
            return lambda fn: fn

    subscribe(App(), "pubsub", "order-created", handler()(lambda e: None))
    assert registered == [("pubsub", "order-created", "order-created-dead-letter")]
