"""Order events -> `UserService.notify_buyer`, which enriches them with the buyer's
contact data and publishes `order-notification`.

Redelivery needs no ledger: the notification's CloudEvent id is derived from
the order event's id, so a repeat publishes the same notification and
notification drops the duplicate. A malformed event or an unknown buyer is
dropped (to the dead-letter topic); a failed publish is retried.
"""

from __future__ import annotations

from typing import Any

from common import events, topics
from common.drop_notes import Notes
from common.events import Envelope
from common.subscriptions import handler, subscribe
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.user.domain import (
    NotFound,
    NoticeKind,
    NoticeLine,
    OrderNotice,
    ValidationError,
)
from services.user.service import UserService


def line_from_proto(item: order_pb2.OrderItem) -> NoticeLine:
    return NoticeLine(
        product_id=item.product_id,
        product_name=item.product_name,
        quantity=item.quantity,
        unit_amount=item.unit_price.amount,
        currency=item.unit_price.currency,
    )


def status_name(value: int) -> str:
    try:
        return order_pb2.OrderStatus.Name(order_pb2.OrderStatus.ValueType(value))
    except ValueError:
        raise events.PoisonEvent(f"unknown order status {value}") from None


def _required(order_id: str, user_id: str) -> None:
    if not order_id:
        raise events.PoisonEvent("order_id is missing")
    if not user_id:
        raise events.PoisonEvent("user_id is missing")


class OrderEventHandlers:
    def __init__(self, users: UserService) -> None:
        self._users = users

    def order_created(self, envelope: Envelope) -> None:
        created = events.decode(envelope, events_pb2.OrderCreated)
        _required(created.order_id, created.user_id)
        self._users.notify_buyer(
            OrderNotice(
                kind=NoticeKind.CONFIRMATION,
                source_event_id=envelope.id,
                order_id=created.order_id,
                buyer_id=created.user_id,
                status=order_pb2.OrderStatus.Name(order_pb2.PENDING),
                lines=tuple(line_from_proto(item) for item in created.items),
                total_amount=created.total.amount,
                currency=created.total.currency,
            )
        )

    def order_status_changed(self, envelope: Envelope) -> None:
        changed = events.decode(envelope, events_pb2.OrderStatusChanged)
        _required(changed.order_id, changed.user_id)
        self._users.notify_buyer(
            OrderNotice(
                kind=NoticeKind.STATUS_CHANGED,
                source_event_id=envelope.id,
                order_id=changed.order_id,
                buyer_id=changed.user_id,
                status=status_name(changed.new_status),
            )
        )


DROP_ON = (NotFound, ValidationError)


def register(
    app: Any, pubsub: str, handlers: OrderEventHandlers, notes: Notes | None = None
) -> None:
    """Subscribe both order topics; `notes` records why an event was dropped."""
    subscribe(
        app,
        pubsub,
        topics.ORDER_CREATED,
        handler(drop_on=DROP_ON, notes=notes)(handlers.order_created),
    )
    subscribe(
        app,
        pubsub,
        topics.ORDER_STATUS_CHANGED,
        handler(drop_on=DROP_ON, notes=notes)(handlers.order_status_changed),
    )
