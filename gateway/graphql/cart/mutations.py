"""Mutations of the caller's cart. A service's refusal becomes a member of the
result union (`service_errors`): the cart refuses quantities of 0 or less,
above the per-line limit or above the stock, and unknown products."""

from __future__ import annotations

import strawberry

from gateway.graphql.cart.types import Cart, CartResult
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.permissions import IsAuthenticated


@strawberry.type
class CartMutations:
    @strawberry.mutation(
        description="Add units of a product to the caller's cart.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def add_to_cart(
        self, info: GatewayInfo, product_id: strawberry.ID, quantity: int = 1
    ) -> CartResult:
        context = info.context
        cart = await context.services.carts.add(
            await context.user_id(), str(product_id), quantity
        )
        return Cart.from_domain(cart)

    @strawberry.mutation(
        description="Set how many units of a product the cart holds.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def set_cart_quantity(
        self, info: GatewayInfo, product_id: strawberry.ID, quantity: int
    ) -> CartResult:
        context = info.context
        cart = await context.services.carts.set_quantity(
            await context.user_id(), str(product_id), quantity
        )
        return Cart.from_domain(cart)

    @strawberry.mutation(
        description="Take a product out of the cart (no error if it is not there).",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def remove_from_cart(
        self, info: GatewayInfo, product_id: strawberry.ID
    ) -> CartResult:
        context = info.context
        cart = await context.services.carts.remove(
            await context.user_id(), str(product_id)
        )
        return Cart.from_domain(cart)

    @strawberry.mutation(
        description="Empty the cart (e.g. once its order is placed).",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def clear_cart(self, info: GatewayInfo) -> CartResult:
        context = info.context
        return Cart.from_domain(
            await context.services.carts.clear(await context.user_id())
        )
