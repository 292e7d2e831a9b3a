"""Event payloads <-> CloudEvents: one encoding for every publisher and subscriber.

Payloads are the proto messages of protos/events/v1, carried as JSON (protobuf's
JSON mapping) in the CloudEvent's `data`. The publisher chooses the CloudEvent
id (`cloudevent.id` metadata), so a re-published outbox row keeps its id and
subscribers can drop the duplicate.

The CloudEvent `type` names the payload and its schema version
(`daprshop.events.v1.UserCreated`, see common.topics). A subscriber reading
v1 drops an event of another version or of a type it does not expect
(`PoisonEvent`), rather than guess at its fields. Events published without a
type of ours (Dapr's default `com.dapr.event.sent`, e.g. from a script) are
read as the topic's v1 payload.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from common import topics

M = TypeVar("M", bound=Message)

# What Dapr calls an event whose publisher chose no type.
DAPR_DEFAULT_TYPE = "com.dapr.event.sent"


class PoisonEvent(ValueError):
    """An event that can never be processed: it goes to the dead-letter topic."""


@dataclass(frozen=True)
class Envelope:
    id: str
    topic: str
    data: dict[str, Any]
    type: str = ""


def encode(message: Message) -> str:
    return json_format.MessageToJson(message, indent=None)


def publish_metadata(
    event_id: str, topic: str = "", partition_key: str = ""
) -> dict[str, str]:
    """Dapr's CloudEvent overrides: our id, our type when `topic` has one, and
    the partition key (Kafka: one partition per key, so events of one
    aggregate stay in order) when there is one."""
    metadata = {"cloudevent.id": event_id}
    if topic in topics.PAYLOADS:
        metadata["cloudevent.type"] = topics.event_type(topic)
    if partition_key:
        metadata["partitionKey"] = partition_key
    return metadata


def envelope_from_sdk_event(event: Any) -> Envelope:
    """From the Dapr SDK's CloudEvent object (dapr.ext.grpc subscriptions)."""
    raw = event.data
    try:
        if isinstance(raw, bytes | bytearray):
            raw = raw.decode()
        data = json.loads(raw) if isinstance(raw, str) else raw
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PoisonEvent(f"event data is not JSON: {err}") from err
    if not isinstance(data, dict):
        raise PoisonEvent("event data is not a JSON object")
    topic = event.extensions.get("topic", "") if hasattr(event, "extensions") else ""
    kind = str(getattr(event, "type", "") or "")
    if kind == "None":  # the SDK's Event() renders an unset type so
        kind = ""
    return Envelope(id=str(event.id), topic=str(topic), data=data, type=kind)


def envelope_from_dict(cloud_event: dict[str, Any]) -> Envelope:
    """From a CloudEvent delivered as JSON (the gateway's HTTP subscriptions)."""
    data = cloud_event.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as err:
            raise PoisonEvent(f"event data is not JSON: {err}") from err
    if not isinstance(data, dict) or "id" not in cloud_event:
        raise PoisonEvent("not a CloudEvent with an object payload")
    return Envelope(
        id=str(cloud_event["id"]),
        topic=str(cloud_event.get("topic", "")),
        data=data,
        type=str(cloud_event.get("type", "")),
    )


def check_type(envelope: Envelope, message_type: type[Message]) -> None:
    """PoisonEvent unless the event's type is `message_type` at our version
    (or the publisher set no type of its own)."""
    if envelope.type in ("", DAPR_DEFAULT_TYPE):
        return
    expected = message_type.DESCRIPTOR.full_name
    if envelope.type == expected:
        return
    package, _, name = envelope.type.rpartition(".")
    if (
        package.startswith(topics.EVENT_PACKAGE + ".")
        and name == expected.rsplit(".", 1)[-1]
    ):
        version = package.rsplit(".", 1)[-1]
        raise PoisonEvent(
            f"schema version {version} of {name} is not understood here"
            f" (reads {topics.SCHEMA_VERSION})"
        )
    raise PoisonEvent(f"unknown event type {envelope.type!r} (expected {expected})")


def decode(envelope: Envelope, message_type: type[M]) -> M:
    check_type(envelope, message_type)
    try:
        return json_format.ParseDict(
            envelope.data, message_type(), ignore_unknown_fields=True
        )
    except json_format.ParseError as err:
        raise PoisonEvent(f"{message_type.__name__}: {err}") from err
