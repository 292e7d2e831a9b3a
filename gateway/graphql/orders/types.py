"""GraphQL types of orders, and their mapping from the order service's."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from gateway import clients
from gateway.graphql.common import Money, PageInfo
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import (
    Conflict,
    Forbidden,
    NotFound,
    OutOfStock,
    Unavailable,
    ValidationError,
    service_errors,
)
from gateway.graphql.products.types import Product
from gateway.graphql.users.types import User


@strawberry.enum(
    description="PENDING -> CONFIRMED -> SHIPPED -> DELIVERED, or CANCELLED."
)
class OrderStatus(enum.Enum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"

    @classmethod
    def from_domain(cls, status: clients.OrderStatus) -> OrderStatus:
        return cls[status.name]

    def to_domain(self) -> clients.OrderStatus:
        return clients.OrderStatus[self.name]


@strawberry.type
class OrderItem:
    product_id: strawberry.ID
    product_name: str = strawberry.field(description="As it was when ordered.")
    quantity: int
    unit_price: Money = strawberry.field(description="As it was when ordered.")

    @strawberry.field(description="The product as it is now (batched per request).")
    @service_errors
    async def product(self, info: GatewayInfo) -> Product | None:
        product = await info.context.loaders.products.load(str(self.product_id))
        return Product.from_domain(product) if product is not None else None


@strawberry.type
class Order:
    id: strawberry.ID
    status: OrderStatus
    items: list[OrderItem]
    total: Money
    created_at: datetime
    updated_at: datetime
    user_id: strawberry.Private[str]

    @strawberry.field(description="Who placed it (batched per request).")
    @service_errors
    async def customer(self, info: GatewayInfo) -> User | None:
        user = await info.context.loaders.users.load(self.user_id)
        return User.from_domain(user) if user is not None else None

    @classmethod
    def from_domain(cls, order: clients.Order) -> Order:
        return cls(
            id=strawberry.ID(order.id),
            status=OrderStatus.from_domain(order.status),
            items=[
                OrderItem(
                    product_id=strawberry.ID(line.product_id),
                    product_name=line.product_name,
                    quantity=line.quantity,
                    unit_price=Money.from_domain(line.unit_price),
                )
                for line in order.lines
            ],
            total=Money.from_domain(order.total),
            created_at=order.created_at,
            updated_at=order.updated_at,
            user_id=order.user_id,
        )


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo


@strawberry.input
class OrderItemInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class PlaceOrderInput:
    items: list[OrderItemInput]
    idempotency_key: str = strawberry.field(
        description="Chosen by the client per checkout; a retry with the same key "
        "returns the same order instead of placing a second one."
    )

    def lines(self) -> list[clients.LineRequest]:
        return [
            clients.LineRequest(str(item.product_id), item.quantity)
            for item in self.items
        ]


PlaceOrderResult = Annotated[
    Order | OutOfStock | ValidationError | Conflict | Unavailable,
    strawberry.union("PlaceOrderResult"),
]
CancelOrderResult = Annotated[
    Order | NotFound | Conflict | Unavailable,
    strawberry.union("CancelOrderResult"),
]
UpdateOrderStatusResult = Annotated[
    Order | NotFound | Conflict | ValidationError | Forbidden | Unavailable,
    strawberry.union("UpdateOrderStatusResult"),
]
