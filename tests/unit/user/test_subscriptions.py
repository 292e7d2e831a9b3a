"""Order events become order notifications carrying the buyer's contact data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cloudevents.sdk.event import v1
from google.protobuf import json_format

from common import events, topics
from common.subscriptions import handler
from protos.common.v1 import money_pb2
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.user.adapters.notifications import (
    DaprOrderNotifications,
    notification_id,
)
from services.user.domain import UserChanges
from services.user.service import UserService
from services.user.subscriptions import DROP_ON, OrderEventHandlers
from tests.unit.user.fakes import FakePublisher, FakeUserRepository


def sdk_event(message: Any, event_id: str) -> v1.Event:
    event = v1.Event()
    event.SetEventID(event_id)
    raw = events.encode(message) if hasattr(message, "DESCRIPTOR") else message
    event.SetData(raw.encode() if isinstance(raw, str) else raw)
    event.SetExtensions({"topic": "order-created"})
    return event


class World:
    """The handlers over the real use case and notifications adapter."""

    def __init__(self) -> None:
        self.publisher = FakePublisher()
        self.users = UserService(
            FakeUserRepository(), DaprOrderNotifications(self.publisher)
        )
        handlers = OrderEventHandlers(self.users)
        self.order_created = handler(drop_on=DROP_ON)(handlers.order_created)
        self.status_changed = handler(drop_on=DROP_ON)(handlers.order_status_changed)

    def published(self, source_event_id: str) -> events_pb2.OrderNotification:
        topic, payload = self.publisher.published[notification_id(source_event_id)]
        assert topic == topics.ORDER_NOTIFICATION
        return json_format.Parse(payload, events_pb2.OrderNotification())


@pytest.fixture
def world() -> World:
    return World()


def order_created(user_id: str) -> events_pb2.OrderCreated:
    return events_pb2.OrderCreated(
        order_id="o-1",
        user_id=user_id,
        items=[
            order_pb2.OrderItem(
                product_id="p-1",
                product_name="Mug",
                quantity=3,
                unit_price=money_pb2.Money(amount=1299, currency="USD"),
            )
        ],
        total=money_pb2.Money(amount=3897, currency="USD"),
    )


def test_order_created_becomes_a_confirmation_with_the_buyers_contact(
    world: World,
) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    world.users.update(eve.id, UserChanges(phone="+4915112345678"))
    response = world.order_created(sdk_event(order_created(eve.id), "ev-1"))
    assert response.status.name == "success"
    note = world.published("ev-1")
    assert note.kind == events_pb2.CONFIRMATION
    assert note.order_id == "o-1"
    assert note.source_event_id == "ev-1"
    assert note.status == order_pb2.PENDING
    assert note.total.amount == 3897
    assert note.items[0].product_name == "Mug"
    assert note.contact.email == "eve@example.com"
    assert note.contact.phone == "+4915112345678"
    assert note.contact.email_enabled and note.contact.sms_enabled
    # One partition per order: its notifications keep their order.
    assert world.publisher.keys[notification_id("ev-1")] == "o-1"


def test_a_redelivered_order_event_yields_the_same_notification_id(
    world: World,
) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    world.order_created(sdk_event(order_created(eve.id), "ev-1"))
    world.order_created(sdk_event(order_created(eve.id), "ev-1"))
    world.order_created(sdk_event(order_created(eve.id), "ev-2"))
    assert len(world.publisher.published) == 2
    assert notification_id("ev-1") == notification_id("ev-1")
    assert notification_id("ev-1") != notification_id("ev-2")


def test_status_change_carries_the_new_status(world: World) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    changed = events_pb2.OrderStatusChanged(
        order_id="o-1",
        user_id=eve.id,
        old_status=order_pb2.PENDING,
        new_status=order_pb2.SHIPPED,
    )
    assert world.status_changed(sdk_event(changed, "ev-9")).status.name == "success"
    note = world.published("ev-9")
    assert note.kind == events_pb2.STATUS_CHANGED
    assert note.status == order_pb2.SHIPPED


def test_preferences_travel_with_the_contact(world: World) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    world.users.update(eve.id, UserChanges(email_notifications=False))
    world.order_created(sdk_event(order_created(eve.id), "ev-1"))
    note = world.published("ev-1")
    assert note.contact.email_enabled is False


def test_unknown_buyer_is_dropped_to_the_dead_letter_topic(world: World) -> None:
    response = world.order_created(sdk_event(order_created("ghost"), "ev-1"))
    assert response.status.name == "drop"
    assert world.publisher.published == {}


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        json.dumps({"orderId": "o-1"}).encode(),  # no user
        json.dumps({"userId": "u", "total": "lots"}).encode(),  # wrong type
    ],
)
def test_poison_events_are_dropped(world: World, payload: bytes) -> None:
    assert world.order_created(sdk_event(payload, "ev-1")).status.name == "drop"


def test_a_failed_publish_is_retried(world: World) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    world.publisher.down = True
    response = world.order_created(sdk_event(order_created(eve.id), "ev-1"))
    assert response.status.name == "retry"


def test_the_wire_format_is_protobuf_json(world: World) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    raw = json_format.MessageToDict(order_created(eve.id))
    assert "userId" in raw
    event = sdk_event(json.dumps(raw).encode(), "ev-1")
    assert world.order_created(event).status.name == "success"


def test_a_status_change_to_an_unknown_status_is_dropped(world: World) -> None:
    eve, _ = world.users.get_or_create("s", "eve@example.com", "Eve")
    changed = events_pb2.OrderStatusChanged(order_id="o-1", user_id=eve.id)
    changed.new_status = 99  # type: ignore[assignment]
    assert world.status_changed(sdk_event(changed, "ev-3")).status.name == "drop"
    assert world.publisher.published == {}
