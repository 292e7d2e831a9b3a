"""Generated proto messages <-> the plain values of `models.py`."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from gateway.clients.models import (
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    User,
)
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2
from protos.product.v1 import product_pb2
from protos.user.v1 import user_pb2


def money(message: money_pb2.Money) -> Money:
    return Money(message.amount, message.currency)


def money_proto(value: Money) -> money_pb2.Money:
    return money_pb2.Money(amount=value.amount, currency=value.currency)


def moment(stamp: Timestamp) -> datetime:
    value: datetime = stamp.ToDatetime(tzinfo=UTC)
    return value


def user(message: user_pb2.User) -> User:
    return User(
        id=message.id,
        subject=message.subject,
        email=message.email,
        name=message.name,
        phone=message.phone,
        email_notifications=message.preferences.email,
        sms_notifications=message.preferences.sms,
    )


def product(message: product_pb2.Product) -> Product:
    return Product(
        id=message.id,
        name=message.name,
        description=message.description,
        category=message.category,
        price=money(message.price),
        stock=message.stock,
    )


def order(message: order_pb2.Order) -> Order:
    return Order(
        id=message.id,
        user_id=message.user_id,
        status=OrderStatus(message.status),
        lines=tuple(
            OrderLine(
                product_id=item.product_id,
                product_name=item.product_name,
                quantity=item.quantity,
                unit_price=money(item.unit_price),
            )
            for item in message.items
        ),
        total=money(message.total),
        created_at=moment(message.created_at),
        updated_at=moment(message.updated_at),
    )
