"""F12 and the dead-letter windows: a poison message reaches its dead-letter
topic in time, with its reason noted; after the fault is fixed, `devmesh dlq
replay` delivers it, and a second replay sends nothing twice.

The poison is honest: the mail server refuses the recipient for good (Mailpit
restarted with MP_SMTP_ALLOWED_RECIPIENTS), so notification's mailer gets an
SMTP 5xx, a permanent failure: DROP, to `order-notification-dead-letter`. The
fix is the mail server's configuration (Mailpit restarted without the
restriction); the replayed event is the original, unchanged.
"""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any

import pytest

from common import events, topics
from devmesh import dlq
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from tests.faults.shop import emails_to, verdict, wait_for_emails
from tests.integration.helpers import dapr_client

pytestmark = pytest.mark.faults

DOMAIN_WINDOW = 10.0  # seconds: a dropped event is dead-lettered at once


def publish(via: str, topic: str, data: str, event_id: str, kind: str = "") -> None:
    metadata = events.publish_metadata(event_id, topic)
    if kind:
        metadata["cloudevent.type"] = kind
    with dapr_client({}, via=via) as client:
        client.publish_event(
            "pubsub",
            topic,
            data,
            data_content_type="application/json",
            publish_metadata=metadata,
        )


def dead_lettered(profile: str, topic: str, event_id: str, timeout: float) -> float:
    """Seconds until `event_id` is on `topic`'s dead-letter topic with a note."""
    started = time.monotonic()
    while True:
        found = [
            letter
            for letter in dlq.dead_letters(profile, topic)
            if letter.id == event_id and letter.reasons
        ]
        if found:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, (
            f"{event_id} not dead-lettered on {topic} within {timeout:.0f}s"
        )
        time.sleep(0.5)


def confirmation(email: str, order_id: str) -> str:
    return events.encode(
        events_pb2.OrderNotification(
            kind=events_pb2.CONFIRMATION,
            order_id=order_id,
            contact=events_pb2.Contact(
                user_id="u-f12", email=email, name="F12", email_enabled=True
            ),
            status=order_pb2.OrderStatus.Name(order_pb2.PENDING),
        )
    )


def replay(profile: str, event_id: str) -> None:
    args = argparse.Namespace(
        dlq_command="replay", topic=topics.ORDER_NOTIFICATION, ids=[event_id], all=False
    )
    assert dlq.run(args, profile) == 0


def test_f12_poison_is_dead_lettered_and_a_replay_after_the_fix_sends_once(
    mesh: Any, profile: str
) -> None:
    email = f"f12-{uuid.uuid4().hex[:8]}@refused.test"
    event_id = str(uuid.uuid4())
    mesh.stop_one("mailpit")
    mesh.start_one("mailpit", {"MP_SMTP_ALLOWED_RECIPIENTS": r"@example\.com$"})
    try:
        publish(
            "user", topics.ORDER_NOTIFICATION, confirmation(email, "o-f12"), event_id
        )
        took = dead_lettered(
            profile, topics.ORDER_NOTIFICATION, event_id, DOMAIN_WINDOW
        )
    finally:
        mesh.stop_one("mailpit")  # the fix: the mail server takes every recipient
        mesh.start_one("mailpit")
    letter = next(
        x
        for x in dlq.dead_letters(profile, topics.ORDER_NOTIFICATION)
        if x.id == event_id
    )
    reason = letter.reasons["notification"]
    assert reason["outcome"] == "drop"
    assert "PermanentDeliveryError" in reason["reason"], reason
    assert not emails_to(email)

    replay(profile, event_id)
    wait_for_emails(email, 1, timeout=60)
    replay(profile, event_id)
    emails = wait_for_emails(email, 2, timeout=15)  # a second would show up
    line = verdict(
        "F12 poison -> dead letter -> fix -> replay x2",
        1,
        emails,
        f"dead_lettered_in={took:.1f}s",
    )
    assert "lost=0 duplicated=0" in line


@pytest.mark.parametrize(
    ("what", "data", "kind"),
    [
        ("invalid JSON", "{not json", ""),
        ("unknown type", "{}", "daprshop.events.v1.Surprise"),
        ("schema v2", "{}", "daprshop.events.v2.OrderCreated"),
    ],
)
def test_malformed_domain_events_are_dead_lettered_within_10s(
    mesh: Any, profile: str, what: str, data: str, kind: str
) -> None:
    event_id = str(uuid.uuid4())
    publish("order", topics.ORDER_CREATED, data, event_id, kind)
    took = dead_lettered(profile, topics.ORDER_CREATED, event_id, DOMAIN_WINDOW)
    letter = next(
        x for x in dlq.dead_letters(profile, topics.ORDER_CREATED) if x.id == event_id
    )
    note = letter.reasons["user"]
    assert note["outcome"] == "drop", note
    reason = note["reason"]
    print(f"\nF12b {what} on order-created: dead-lettered in {took:.1f}s ({reason})")
    assert "user" not in mesh.exited()
