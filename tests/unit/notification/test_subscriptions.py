"""CloudEvents in, messages and Dapr statuses out."""

from __future__ import annotations

from typing import Any

import pytest
from cloudevents.sdk.event import v1

from common import events
from common.subscriptions import handler
from protos.common.v1 import money_pb2
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.notification.domain import DomainError, PermanentDeliveryError
from services.notification.subscriptions import NotificationHandlers
from tests.unit.notification.fakes import Mesh


def sdk_event(message: Any, event_id: str) -> v1.Event:
    event = v1.Event()
    event.SetEventID(event_id)
    raw = events.encode(message) if hasattr(message, "DESCRIPTOR") else message
    event.SetData(raw.encode() if isinstance(raw, str) else raw)
    event.SetExtensions({})
    return event


class World(Mesh):
    def __init__(self) -> None:
        super().__init__()
        handlers = NotificationHandlers(self.service)
        self.user_created = handler(drop_on=(DomainError,))(handlers.user_created)
        self.order_notification = handler(drop_on=(DomainError,))(
            handlers.order_notification
        )


@pytest.fixture
def world() -> World:
    return World()


def welcome(**fields: Any) -> events_pb2.UserCreated:
    base = {
        "user_id": "u-1",
        "email": "eve@example.com",
        "name": "Eve",
        "email_notifications": True,
        "sms_notifications": True,
    }
    return events_pb2.UserCreated(**{**base, **fields})


def confirmation(**contact: Any) -> events_pb2.OrderNotification:
    base = {
        "user_id": "u-1",
        "email": "eve@example.com",
        "name": "Eve",
        "phone": "+4915112345678",
        "email_enabled": True,
        "sms_enabled": True,
    }
    return events_pb2.OrderNotification(
        kind=events_pb2.CONFIRMATION,
        order_id="o-42",
        contact=events_pb2.Contact(**{**base, **contact}),
        status=order_pb2.PENDING,
        items=[
            order_pb2.OrderItem(
                product_id="p-1",
                product_name="Mug",
                quantity=3,
                unit_price=money_pb2.Money(amount=1299, currency="USD"),
            )
        ],
        total=money_pb2.Money(amount=3897, currency="USD"),
        source_event_id="order-ev-1",
    )


def test_user_created_sends_a_welcome_email(world: World) -> None:
    assert world.user_created(sdk_event(welcome(), "ev-1")).status.name == "success"
    assert [e.to_address for e in world.mailer.sent] == ["eve@example.com"]
    assert world.sms.sent == []  # no phone at sign-up


def test_welcome_sms_when_phone_and_preference(world: World) -> None:
    world.user_created(sdk_event(welcome(phone="+4915112345678"), "ev-1"))
    world.user_created(
        sdk_event(welcome(phone="+4915112345678", sms_notifications=False), "ev-2")
    )
    assert [s.token for s in world.sms.sent] == ["ev-1"]


def test_a_redelivered_event_sends_one_email(world: World) -> None:
    event = sdk_event(confirmation(), "n-1")
    assert world.order_notification(event).status.name == "success"
    assert world.order_notification(event).status.name == "success"
    assert len(world.mailer.sent) == 1
    assert len(world.sms.sent) == 1
    assert "o-42" in world.mailer.sent[0].subject


def test_status_change_notification(world: World) -> None:
    note = confirmation()
    note.kind = events_pb2.STATUS_CHANGED
    note.status = order_pb2.DELIVERED
    assert world.order_notification(sdk_event(note, "n-2")).status.name == "success"
    assert world.mailer.sent[0].subject == "Your order o-42 is delivered"


@pytest.mark.parametrize(
    "payload",
    [
        b"<xml/>",
        b'{"kind": "NOT_A_KIND"}',
        events.encode(events_pb2.OrderNotification()),
    ],
)
def test_poison_notifications_are_dropped(world: World, payload: Any) -> None:
    assert world.order_notification(sdk_event(payload, "n-1")).status.name == "drop"
    assert world.mailer.sent == []


def test_smtp_down_is_retried_and_then_sent_once(world: World) -> None:
    world.mailer.failure = ConnectionError("smtp down")
    event = sdk_event(confirmation(sms_enabled=False), "n-1")
    assert world.order_notification(event).status.name == "retry"
    world.mailer.failure = None
    assert world.order_notification(event).status.name == "success"
    assert world.order_notification(event).status.name == "success"
    assert len(world.mailer.sent) == 1


def test_a_refused_recipient_goes_to_the_dead_letter_topic(world: World) -> None:
    world.mailer.failure = PermanentDeliveryError("550 no such user")
    event = sdk_event(confirmation(sms_enabled=False), "n-1")
    assert world.order_notification(event).status.name == "drop"


def test_header_injection_through_the_name_goes_nowhere(world: World) -> None:
    event = sdk_event(confirmation(name="Eve\r\nBcc: x@evil.com"), "n-1")
    assert world.order_notification(event).status.name == "success"
    [email] = world.mailer.sent
    assert "\n" not in email.to_name and "\r" not in email.to_name
