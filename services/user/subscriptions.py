"""Order events -> `order-notification`, enriched with the buyer's contact data.

So the notification service never calls this one. Redelivery needs no ledger:
the notification's CloudEvent id is derived from the order event's id, so a
repeat publishes the same notification and notification drops the duplicate.
An unknown buyer is dropped (to the dead-letter topic); a failed publish is
retried.
"""

from __future__ import annotations

from typing import Any, Protocol

from common import events, topics
from common.events import Envelope
from common.subscriptions import handler, subscribe
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.user.domain import Contact, NotFound, ValidationError
from services.user.service import UserService


class Notifications(Protocol):
    def publish(self, notification: events_pb2.OrderNotification) -> str: ...


def contact_to_proto(contact: Contact) -> events_pb2.Contact:
    return events_pb2.Contact(
        user_id=contact.user_id,
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        email_enabled=contact.email_enabled,
        sms_enabled=contact.sms_enabled,
    )


class OrderEventHandlers:
    def __init__(self, users: UserService, notifications: Notifications) -> None:
        self._users = users
        self._notifications = notifications

    def _contact(self, user_id: str) -> events_pb2.Contact:
        if not user_id:
            raise events.PoisonEvent("user_id is missing")
        return contact_to_proto(self._users.contact(user_id))

    def order_created(self, envelope: Envelope) -> None:
        created = events.decode(envelope, events_pb2.OrderCreated)
        if not created.order_id:
            raise events.PoisonEvent("order_id is missing")
        self._notifications.publish(
            events_pb2.OrderNotification(
                kind=events_pb2.CONFIRMATION,
                order_id=created.order_id,
                contact=self._contact(created.user_id),
                status=order_pb2.PENDING,
                items=created.items,
                total=created.total,
                source_event_id=envelope.id,
            )
        )

    def order_status_changed(self, envelope: Envelope) -> None:
        changed = events.decode(envelope, events_pb2.OrderStatusChanged)
        if not changed.order_id:
            raise events.PoisonEvent("order_id is missing")
        self._notifications.publish(
            events_pb2.OrderNotification(
                kind=events_pb2.STATUS_CHANGED,
                order_id=changed.order_id,
                contact=self._contact(changed.user_id),
                status=changed.new_status,
                source_event_id=envelope.id,
            )
        )


DROP_ON = (NotFound, ValidationError)


def register(app: Any, pubsub: str, handlers: OrderEventHandlers) -> None:
    subscribe(
        app,
        pubsub,
        topics.ORDER_CREATED,
        handler(drop_on=DROP_ON)(handlers.order_created),
    )
    subscribe(
        app,
        pubsub,
        topics.ORDER_STATUS_CHANGED,
        handler(drop_on=DROP_ON)(handlers.order_status_changed),
    )
