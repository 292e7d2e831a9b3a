"""Dead letters: `python -m devmesh dlq list|show|replay` (also `make dlq`).

A subscriber's sidecar moves an event it could not handle to
`<topic>-dead-letter`, as the original CloudEvent bytes (its `topic` field
still names the topic it came from). This tool reads those topics straight
from the broker (Kafka on the full profile, Redis Streams on lite) and the
reason each subscriber noted (`dead-letter:<topic>:<id>` in its `idempotency`
state, see common/subscriptions.py), read from Redis.

`replay ID...` re-publishes the original CloudEvent, id and type unchanged
(`application/cloudevents+json`, which daprd passes through), to its original
topic through the sidecar of the app that publishes that topic (the only one
the pub/sub scopes let publish it), with that app's API token. Subscribers
that handled the event before drop it by id, so replaying twice sends
nothing twice.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from common import components, topics
from devmesh import access, ports, trust
from devmesh.launcher.spec import LOOPBACK


@dataclass
class DeadLetter:
    topic: str  # where it came from
    id: str
    event: dict[str, Any]
    copies: int = 1  # one per drop (two subscribers, or dropped again)
    reasons: dict[str, Any] = field(default_factory=dict)  # app -> its note

    def summary(self) -> str:
        why = "; ".join(
            f"{app}: {note.get('reason', note)}" for app, note in self.reasons.items()
        )
        copies = f" x{self.copies}" if self.copies > 1 else ""
        return f"{self.topic:22} {self.id:38}{copies} {why or '(no reason noted)'}"


def _kafka_records(dead_topics: list[str]) -> Iterator[bytes]:
    from kafka import KafkaConsumer, TopicPartition  # dev dependency

    consumer = KafkaConsumer(
        bootstrap_servers=f"{LOOPBACK}:{ports.load().kafka}",
        group_id=None,
        enable_auto_commit=False,
        request_timeout_ms=15000,
    )
    try:
        existing = consumer.topics()
        parts = [
            TopicPartition(t, p)
            for t in dead_topics
            if t in existing
            for p in consumer.partitions_for_topic(t) or ()
        ]
        if not parts:
            return
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    yield record.value
    finally:
        consumer.close()


def _redis() -> Any:
    import redis

    return redis.Redis(host=LOOPBACK, port=ports.load().redis, socket_timeout=5)


def _stream_records(dead_topics: list[str]) -> Iterator[bytes]:
    client = _redis()
    for topic in dead_topics:
        for _id, fields in client.xrange(topic):
            yield fields[b"data"]


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return event if isinstance(event, dict) and "id" in event else None


def _note(raw: bytes | None) -> dict[str, Any] | None:
    """A state value as Dapr's Redis store keeps it: JSON, maybe JSON-quoted."""
    if raw is None:
        return None
    value: Any = json.loads(raw)
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {"reason": str(value)}


def _reasons(letter: DeadLetter) -> dict[str, Any]:
    client = _redis()
    found = {}
    for app, subscribed in access.SUBSCRIBES.items():
        if letter.topic not in subscribed:
            continue
        key = f"{app}||dead-letter:{letter.topic}:{letter.id}"
        note = _note(client.hget(key, "data"))
        if note:
            found[app] = note
    return found


def records(profile: str, names: list[str]) -> Iterator[bytes]:
    """Every record of these topics (raw CloudEvents), straight from the
    broker: Kafka on the full profile, Redis Streams on lite."""
    read = _kafka_records if profile == "full" else _stream_records
    return read(names)


def dead_letters(profile: str, topic: str | None = None) -> list[DeadLetter]:
    """Every dead letter (one per event id), oldest first, with its reasons."""
    wanted = [topic] if topic else list(topics.ALL)
    dead_topics = [topics.dead_letter(t) for t in wanted]
    letters: dict[tuple[str, str], DeadLetter] = {}
    for raw in records(profile, dead_topics):
        event = _parse(raw)
        if event is None:
            continue
        key = (str(event.get("topic", "")), str(event["id"]))
        if key in letters:
            letters[key].copies += 1
        else:
            letters[key] = DeadLetter(key[0], key[1], event)
    for letter in letters.values():
        letter.reasons = _reasons(letter)
    return list(letters.values())


def publisher_of(topic: str) -> str:
    """The app whose sidecar may publish `topic` (its own, not a dead letter)."""
    for app, published in access.PUBLISHES.items():
        if topic in published and not topic.endswith("-dead-letter"):
            return app
    raise SystemExit(f"no app publishes {topic!r}")


def replay(letter: DeadLetter) -> str:
    """Publish the original CloudEvent again; returns the app it went through."""
    from dapr.clients import DaprClient
    from dapr.conf import settings as dapr_settings

    app = publisher_of(letter.topic)
    # The SDK reads its sidecar token from its settings when a client is made.
    dapr_settings.DAPR_API_TOKEN = trust.api_tokens()[app].dapr  # type: ignore[attr-defined]
    with DaprClient(address=f"{LOOPBACK}:{ports.load().apps[app].grpc}") as client:
        client.publish_event(
            components.PUBSUB,
            letter.topic,
            json.dumps(letter.event),
            data_content_type="application/cloudevents+json",
        )
    return app


def add_commands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="dlq_command", required=True)
    for name, helptext in (
        ("list", "every dead letter, one line each, with its reasons"),
        ("show", "one dead letter: its CloudEvent and reasons, as JSON"),
        ("replay", "publish chosen dead letters again, ids unchanged"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--topic", help="only this topic (not its -dead-letter)")
        if name == "show":
            cmd.add_argument("id")
        if name == "replay":
            cmd.add_argument("ids", nargs="*", metavar="ID")
            cmd.add_argument("--all", action="store_true", help="every one listed")


def run(args: argparse.Namespace, profile: str) -> int:
    letters = dead_letters(profile, args.topic)
    if args.dlq_command == "list":
        for letter in letters:
            print(letter.summary())
        print(f"{len(letters)} dead letter(s) on the {profile} profile")
        return 0
    ids = [args.id] if args.dlq_command == "show" else args.ids
    chosen = (
        letters
        if getattr(args, "all", False)
        else [letter for letter in letters if letter.id in ids]
    )
    missing = set(ids) - {letter.id for letter in chosen}
    if missing or not chosen:
        print(f"not among the dead letters: {', '.join(sorted(missing)) or '(none)'}")
        return 1
    for letter in chosen:
        if args.dlq_command == "show":
            doc = {"topic": letter.topic, "copies": letter.copies}
            doc |= {"reasons": letter.reasons, "event": letter.event}
            print(json.dumps(doc, indent=2))
        else:
            app = replay(letter)
            print(f"replayed {letter.id} to {letter.topic} through {app}'s sidecar")
    return 0
