"""GraphQL types of the cart, and their mapping from the cart service's.

A line holds a product id and a quantity; the product (current price and
stock) is read through the request's product loader, so a cart of N lines
makes one BatchGetProducts call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway import clients
from gateway.graphql.common import Money
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import (
    Conflict,
    NotFound,
    OutOfStock,
    Unavailable,
    ValidationError,
    service_errors,
)
from gateway.graphql.products.types import Product


@strawberry.type
class CartLine:
    product_id: strawberry.ID
    quantity: int
    added_at: datetime

    @strawberry.field(
        description="The product as it is now; null when it no longer exists."
    )
    @service_errors
    async def product(self, info: GatewayInfo) -> Product | None:
        product = await info.context.loaders.products.load(str(self.product_id))
        return Product.from_domain(product) if product is not None else None

    @strawberry.field(description="Quantity times the current price.")
    @service_errors
    async def line_total(self, info: GatewayInfo) -> Money | None:
        product = await info.context.loaders.products.load(str(self.product_id))
        if product is None:
            return None
        return Money(
            amount=product.price.amount * self.quantity,
            currency=product.price.currency,
        )


@strawberry.type
class Cart:
    lines: list[CartLine]
    updated_at: datetime | None = strawberry.field(
        description="Null for a cart never written; an untouched cart expires."
    )
    max_line_quantity: int = strawberry.field(
        description="The most units of one product a line may hold."
    )

    @strawberry.field(description="Units over every line.")
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @strawberry.field(
        description="The lines at current prices (products that no longer exist "
        "are left out); null for an empty cart."
    )
    @service_errors
    async def subtotal(self, info: GatewayInfo) -> Money | None:
        loader = info.context.loaders.products
        products = await loader.load_many([str(x.product_id) for x in self.lines])
        priced = [
            (product, line.quantity)
            for product, line in zip(products, self.lines, strict=True)
            if product is not None
        ]
        if not priced:
            return None
        currency = priced[0][0].price.currency
        return Money(
            amount=sum(
                p.price.amount * quantity
                for p, quantity in priced
                if p.price.currency == currency
            ),
            currency=currency,
        )

    @classmethod
    def from_domain(cls, cart: clients.Cart) -> Cart:
        return cls(
            lines=[
                CartLine(
                    product_id=strawberry.ID(line.product_id),
                    quantity=line.quantity,
                    added_at=line.added_at,
                )
                for line in cart.lines
            ],
            updated_at=cart.updated_at,
            max_line_quantity=cart.max_line_quantity,
        )


CartResult = Annotated[
    Cart | NotFound | ValidationError | OutOfStock | Conflict | Unavailable,
    strawberry.union(
        "CartResult",
        description="The cart after the change, or why it was refused: "
        "`ValidationError` for a quantity of 0 or less or above "
        "`maxLineQuantity`, `OutOfStock` with the units `available`, "
        "`NotFound` for a product that does not exist.",
    ),
]
