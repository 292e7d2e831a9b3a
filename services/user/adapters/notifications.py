"""`order-notification` through the sidecar: the `Notifications` port."""

from __future__ import annotations

import uuid

from common import events, topics
from common.outbox import Publisher
from protos.common.v1 import money_pb2
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.user.domain import Contact, NoticeKind, OrderNotice

# Notification ids are derived from the order event's id, so a redelivered
# order event yields the same notification id and notification drops it.
NOTIFICATION_NAMESPACE = uuid.UUID("6f1c2a4e-8d5b-5f0e-9a37-0c4b1e2d7a90")


def notification_id(source_event_id: str) -> str:
    return str(uuid.uuid5(NOTIFICATION_NAMESPACE, source_event_id))


KINDS = {
    NoticeKind.CONFIRMATION: events_pb2.CONFIRMATION,
    NoticeKind.STATUS_CHANGED: events_pb2.STATUS_CHANGED,
}


def contact_to_proto(contact: Contact) -> events_pb2.Contact:
    return events_pb2.Contact(
        user_id=contact.user_id,
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        email_enabled=contact.email_enabled,
        sms_enabled=contact.sms_enabled,
    )


def notification_to_proto(
    notice: OrderNotice, contact: Contact
) -> events_pb2.OrderNotification:
    notification = events_pb2.OrderNotification(
        kind=KINDS[notice.kind],
        order_id=notice.order_id,
        contact=contact_to_proto(contact),
        status=order_pb2.OrderStatus.Value(notice.status),
        items=[
            order_pb2.OrderItem(
                product_id=line.product_id,
                product_name=line.product_name,
                quantity=line.quantity,
                unit_price=money_pb2.Money(
                    amount=line.unit_amount, currency=line.currency
                ),
            )
            for line in notice.lines
        ],
        source_event_id=notice.source_event_id,
    )
    if notice.kind == NoticeKind.CONFIRMATION:
        notification.total.CopyFrom(
            money_pb2.Money(amount=notice.total_amount, currency=notice.currency)
        )
    return notification


class DaprOrderNotifications:
    """Publishes `order-notification` straight through the sidecar.

    No outbox: it is published while handling an order event, and a failure
    makes that event be redelivered, which publishes it again with the same id.
    """

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def publish(self, notice: OrderNotice, contact: Contact) -> str:
        event_id = notification_id(notice.source_event_id)
        self._publisher.publish(
            topics.ORDER_NOTIFICATION,
            events.encode(notification_to_proto(notice, contact)),
            event_id,
            notice.order_id,
        )
        return event_id
