"""Which proto message is the payload of which pub/sub topic.

A payload message names its topic with the `(daprshop.events.v1.topic)` option
in protos/events/v1/events.proto; the topics themselves are common/topics.py.
The contract holds when both match one to one: every topic has exactly one
payload, every payload's topic exists. (Field-level compatibility of the
payloads is buf's breaking check, see buf.yaml.)
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.descriptor import FileDescriptor

from protos.events.v1 import events_pb2


def payload_topics(file: FileDescriptor = events_pb2.DESCRIPTOR) -> dict[str, str]:
    """Payload message name -> topic, for the messages that carry a topic."""
    found = {}
    for message in file.message_types_by_name.values():
        options = message.GetOptions()
        if options.HasExtension(events_pb2.topic):
            found[message.name] = options.Extensions[events_pb2.topic]
    return found


def problems(topics: Iterable[str], payloads: dict[str, str]) -> list[str]:
    """What breaks the one-to-one match of topics and payload messages."""
    known = set(topics)
    found = []
    for topic in sorted(known):
        carriers = sorted(m for m, t in payloads.items() if t == topic)
        if not carriers:
            found.append(f"topic {topic!r} has no payload message")
        elif len(carriers) > 1:
            found.append(f"topic {topic!r} has several payloads: {carriers}")
    for message, topic in sorted(payloads.items()):
        if topic not in known:
            found.append(f"{message} names unknown topic {topic!r}")
    return found
