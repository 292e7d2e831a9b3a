"""Event payloads <-> CloudEvents: one encoding for every publisher and subscriber.

Payloads are the proto messages of protos/events/v1, carried as JSON (protobuf's
JSON mapping) in the CloudEvent's `data`. The publisher chooses the CloudEvent
id (`cloudevent.id` metadata), so a re-published outbox row keeps its id and
subscribers can drop the duplicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)


class PoisonEvent(ValueError):
    """An event that can never be processed: it goes to the dead-letter topic."""


@dataclass(frozen=True)
class Envelope:
    id: str
    topic: str
    data: dict[str, Any]


def encode(message: Message) -> str:
    return json_format.MessageToJson(message, indent=None)


def publish_metadata(event_id: str, partition_key: str = "") -> dict[str, str]:
    """Our CloudEvent id, and the partition key (Kafka: one partition per key,
    so events of one aggregate stay in order) when there is one."""
    metadata = {"cloudevent.id": event_id}
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
    return Envelope(id=str(event.id), topic=str(topic), data=data)


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
        id=str(cloud_event["id"]), topic=str(cloud_event.get("topic", "")), data=data
    )


def decode(envelope: Envelope, message_type: type[M]) -> M:
    try:
        return json_format.ParseDict(
            envelope.data, message_type(), ignore_unknown_fields=True
        )
    except json_format.ParseError as err:
        raise PoisonEvent(f"{message_type.__name__}: {err}") from err
