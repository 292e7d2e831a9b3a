"""Malformed events are dropped at once, never retried, and the reason is noted
where `devmesh dlq` reads it; the CloudEvent type carries the schema version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cloudevents.sdk.event import v1

from common import events, topics
from common.drop_notes import note_key
from common.events import Envelope, PoisonEvent
from common.subscriptions import Outcome, handler
from protos.events.v1 import events_pb2


class FakeNotes:
    def __init__(self, down: bool = False) -> None:
        self.values: dict[str, dict[str, Any]] = {}
        self.down = down

    def mark(self, key: str, value: str = "done") -> None:
        if self.down:
            raise ConnectionError("state store down")
        self.values[key] = json.loads(value)


def sdk_event(raw: bytes, kind: str = "", event_id: str = "ev-9") -> v1.Event:
    event = v1.Event()
    event.SetEventID(event_id)
    event.SetEventType(kind)
    event.SetData(raw)
    event.SetSubject(topics.USER_CREATED)
    event.SetExtensions({})
    return event


WELCOME = events.encode(events_pb2.UserCreated(user_id="u1", email="a@b.c")).encode()


def decoding_handler(notes: FakeNotes, calls: list[str]) -> Any:
    @handler(notes=notes)
    def user_created(envelope: Envelope) -> None:
        events.decode(envelope, events_pb2.UserCreated)
        calls.append(envelope.id)

    return user_created


@pytest.mark.parametrize(
    ("raw", "kind", "reason"),
    [
        (b"{not json", "", "not JSON"),
        (b'"a string"', "", "not a JSON object"),
        (WELCOME, "daprshop.events.v1.OrderCreated", "unknown event type"),
        (WELCOME, "com.example.Surprise", "unknown event type"),
        (WELCOME, "daprshop.events.v2.UserCreated", "schema version v2"),
    ],
)
def test_a_malformed_event_is_dropped_once_with_its_reason(
    raw: bytes, kind: str, reason: str
) -> None:
    notes, calls = FakeNotes(), []
    fn = decoding_handler(notes, calls)
    assert fn(sdk_event(raw, kind)).status.name == "drop"
    assert calls == []
    note = notes.values[note_key(topics.USER_CREATED, "ev-9")]
    assert note["outcome"] == "drop"
    assert reason in note["reason"]


@pytest.mark.parametrize(
    "kind", ["", "com.dapr.event.sent", "daprshop.events.v1.UserCreated"]
)
def test_our_type_or_none_is_read_as_v1(kind: str) -> None:
    notes, calls = FakeNotes(), []
    assert decoding_handler(notes, calls)(sdk_event(WELCOME, kind)).status.name == (
        "success"
    )
    assert calls == ["ev-9"]
    assert notes.values == {}


def test_a_failure_is_noted_as_a_retry_with_its_error() -> None:
    notes = FakeNotes()

    @handler(notes=notes)
    def fn(envelope: Envelope) -> None:
        raise ConnectionError("smtp refused the connection")

    assert fn(sdk_event(WELCOME)).status.name == "retry"
    note = notes.values[note_key(topics.USER_CREATED, "ev-9")]
    assert note == {
        "outcome": "retry",
        "reason": "ConnectionError: smtp refused the connection",
        "at": note["at"],
    }


def test_an_unwritable_note_does_not_change_the_outcome() -> None:
    @handler(notes=FakeNotes(down=True))
    def fn(envelope: Envelope) -> Outcome:
        raise PoisonEvent("bad")

    assert fn(sdk_event(WELCOME)).status.name == "drop"


def test_publishers_name_the_payload_type_and_version() -> None:
    assert events.publish_metadata("id-1", topics.ORDER_CREATED) == {
        "cloudevent.id": "id-1",
        "cloudevent.type": "daprshop.events.v1.OrderCreated",
    }
    assert events.publish_metadata("id-1") == {"cloudevent.id": "id-1"}
    for topic, name in topics.PAYLOADS.items():
        assert getattr(events_pb2, name).DESCRIPTOR.full_name == topics.event_type(
            topic
        )
