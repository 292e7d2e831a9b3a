"""`user-created` and `order-notification` -> messages, once per event and channel.

Deduplication is per channel inside the service (keys `email:<event id>` and
`sms:<event id>`), so a redelivery after a half-done event only repeats the
channel that failed. Outcomes: a bad event, address or template -> DROP (to the
dead-letter topic); a send in flight elsewhere or a passing failure -> RETRY.
"""

from __future__ import annotations

import logging
from typing import Any

from common import events, topics
from common.drop_notes import Notes
from common.events import Envelope, PoisonEvent
from common.subscriptions import handler, subscribe
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.notification.domain import (
    Contact,
    DomainError,
    LineItem,
    Money,
    OrderConfirmation,
    OrderStatusUpdate,
    Welcome,
)
from services.notification.service import NotificationService

log = logging.getLogger(__name__)


def contact_from_proto(contact: events_pb2.Contact) -> Contact:
    return Contact(
        user_id=contact.user_id,
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        email_enabled=contact.email_enabled,
        sms_enabled=contact.sms_enabled,
    )


def item_from_proto(item: order_pb2.OrderItem) -> LineItem:
    return LineItem(
        product_name=item.product_name or item.product_id,
        quantity=item.quantity,
        unit_price=Money(item.unit_price.amount, item.unit_price.currency),
    )


class NotificationHandlers:
    def __init__(self, service: NotificationService) -> None:
        self._service = service

    def user_created(self, envelope: Envelope) -> None:
        created = events.decode(envelope, events_pb2.UserCreated)
        contact = Contact(
            user_id=created.user_id,
            email=created.email,
            name=created.name,
            phone=created.phone,
            email_enabled=created.email_notifications,
            sms_enabled=created.sms_notifications,
        )
        sent = self._service.welcome(Welcome(envelope.id, contact))
        log.info("welcome for user %s: sent %s", created.user_id, sent or "nothing")

    def order_notification(self, envelope: Envelope) -> None:
        note = events.decode(envelope, events_pb2.OrderNotification)
        contact = contact_from_proto(note.contact)
        if note.kind == events_pb2.CONFIRMATION:
            sent = self._service.order_confirmation(
                OrderConfirmation(
                    event_id=envelope.id,
                    order_id=note.order_id,
                    contact=contact,
                    items=tuple(item_from_proto(i) for i in note.items),
                    total=Money(note.total.amount, note.total.currency),
                )
            )
        elif note.kind == events_pb2.STATUS_CHANGED:
            sent = self._service.order_status(
                OrderStatusUpdate(
                    event_id=envelope.id,
                    order_id=note.order_id,
                    contact=contact,
                    status=order_pb2.OrderStatus.Name(note.status),
                )
            )
        else:
            raise PoisonEvent(f"unknown notification kind {note.kind}")
        log.info(
            "order %s notification for order %s: sent %s",
            events_pb2.OrderNotificationKind.Name(note.kind),
            note.order_id,
            sent or "nothing",
        )


def register(
    app: Any, pubsub: str, handlers: NotificationHandlers, notes: Notes | None = None
) -> None:
    """Subscribe both topics; `notes` records why an event was dropped."""
    subscribe(
        app,
        pubsub,
        topics.USER_CREATED,
        handler(drop_on=(DomainError,), notes=notes)(handlers.user_created),
    )
    subscribe(
        app,
        pubsub,
        topics.ORDER_NOTIFICATION,
        handler(drop_on=(DomainError,), notes=notes)(handlers.order_notification),
    )
