"""The dead-letter tool's reading: one entry per event id, reasons per app,
replay through the topic's publisher."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from common import topics
from devmesh import dlq


def records(*events: dict[str, Any]) -> Iterator[bytes]:
    yield b"not a cloudevent"
    for event in events:
        yield json.dumps(event).encode()


def test_dead_letters_are_one_per_event_with_copies_and_reasons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = {"id": "e1", "topic": topics.ORDER_CREATED, "data": {}}
    second = {"id": "e2", "topic": topics.ORDER_CREATED, "data": {}}
    monkeypatch.setattr(
        dlq, "_kafka_records", lambda _topics: records(first, second, first)
    )
    monkeypatch.setattr(
        dlq, "_reasons", lambda letter: {"user": {"reason": f"bad {letter.id}"}}
    )
    letters = dlq.dead_letters("full", topics.ORDER_CREATED)
    assert [(x.id, x.copies) for x in letters] == [("e1", 2), ("e2", 1)]
    assert "user: bad e1" in letters[0].summary()
    assert "x2" in letters[0].summary()


def test_notes_read_whether_or_not_dapr_quoted_them() -> None:
    note = {"outcome": "drop", "reason": "r"}
    assert dlq._note(json.dumps(note).encode()) == note
    assert dlq._note(json.dumps(json.dumps(note)).encode()) == note
    assert dlq._note(None) is None


def test_a_topic_is_replayed_through_the_app_that_publishes_it() -> None:
    assert dlq.publisher_of(topics.ORDER_NOTIFICATION) == "user"
    assert dlq.publisher_of(topics.ORDER_CREATED) == "order"
    assert dlq.publisher_of(topics.STOCK_CHANGED) == "product"
