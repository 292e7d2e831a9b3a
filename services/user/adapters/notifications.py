"""`order-notification` through the sidecar: the `Notifications` port."""

from __future__ import annotations

import uuid

from common import events, topics
from common.outbox import Publisher
from protos.events.v1 import events_pb2

# Notification ids are derived from the order event's id, so a redelivered
# order event yields the same notification id and notification drops it.
NOTIFICATION_NAMESPACE = uuid.UUID("6f1c2a4e-8d5b-5f0e-9a37-0c4b1e2d7a90")


def notification_id(source_event_id: str) -> str:
    return str(uuid.uuid5(NOTIFICATION_NAMESPACE, source_event_id))


class DaprOrderNotifications:
    """Publishes `order-notification` straight through the sidecar.

    No outbox: it is published while handling an order event, and a failure
    makes that event be redelivered, which publishes it again with the same id.
    """

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def publish(self, notification: events_pb2.OrderNotification) -> str:
        event_id = notification_id(notification.source_event_id)
        self._publisher.publish(
            topics.ORDER_NOTIFICATION, events.encode(notification), event_id
        )
        return event_id
