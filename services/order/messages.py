"""Domain <-> proto messages of the order service: RPC answers and event payloads.

Shared by the gRPC API and the repository (which writes the events to the
outbox), so neither imports the other.
"""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from protos.common.v1 import money_pb2
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2
from services.order.domain import (
    Money,
    Order,
    OrderLine,
    OrderStatus,
    StatusChange,
    ValidationError,
)


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def money_to_proto(money: Money) -> money_pb2.Money:
    return money_pb2.Money(amount=money.amount, currency=money.currency)


def line_to_proto(line: OrderLine) -> order_pb2.OrderItem:
    return order_pb2.OrderItem(
        product_id=line.product_id,
        product_name=line.product_name,
        quantity=line.quantity,
        unit_price=money_to_proto(line.unit_price),
    )


def status_from_proto(value: int) -> OrderStatus:
    try:
        return OrderStatus(value)
    except ValueError:
        raise ValidationError("status", "must be a known order status") from None


def order_to_proto(order: Order) -> order_pb2.Order:
    return order_pb2.Order(
        id=order.id,
        user_id=order.user_id,
        status=order_pb2.OrderStatus.Value(order.status.name),  # same names
        items=[line_to_proto(line) for line in order.lines],
        total=money_to_proto(order.total),
        created_at=timestamp(order.created_at),
        updated_at=timestamp(order.updated_at),
    )


def order_created(order: Order) -> events_pb2.OrderCreated:
    return events_pb2.OrderCreated(
        order_id=order.id,
        user_id=order.user_id,
        items=[line_to_proto(line) for line in order.lines],
        total=money_to_proto(order.total),
        created_at=timestamp(order.created_at),
    )


def order_status_changed(change: StatusChange) -> events_pb2.OrderStatusChanged:
    return events_pb2.OrderStatusChanged(
        order_id=change.after.id,
        user_id=change.after.user_id,
        old_status=order_pb2.OrderStatus.Value(change.before.status.name),
        new_status=order_pb2.OrderStatus.Value(change.after.status.name),
        changed_at=timestamp(change.after.updated_at),
    )
