"""Query fields of the cart: the caller's own."""

from __future__ import annotations

import strawberry

from gateway.graphql.cart.types import Cart
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.permissions import IsAuthenticated


@strawberry.type
class CartQueries:
    @strawberry.field(
        description="The caller's cart (empty when they have none).",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def cart(self, info: GatewayInfo) -> Cart:
        context = info.context
        return Cart.from_domain(
            await context.services.carts.get(await context.user_id())
        )
