"""Mutations of orders. Cancelling is the owner's; changing status needs
orders:write. A service's refusal becomes a member of the result union
(`service_errors`)."""

from __future__ import annotations

import strawberry

from gateway.clients import OrderStatus as OrderStatusValue
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.freshness import forget_order_products
from gateway.graphql.orders.types import (
    CancelOrderResult,
    Order,
    OrderStatus,
    PlaceOrderInput,
    PlaceOrderResult,
    UpdateOrderStatusResult,
)
from gateway.graphql.permissions import ORDERS_WRITE, IsAuthenticated, forbidden_unless


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Reserve stock and create a PENDING order.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def place_order(
        self, info: GatewayInfo, input: PlaceOrderInput
    ) -> PlaceOrderResult:
        context = info.context
        order = await context.services.orders.place(
            await context.user_id(), input.lines(), input.idempotency_key
        )
        await forget_order_products(context, order)
        return Order.from_domain(order)

    @strawberry.mutation(
        description="Cancel one of the caller's orders and give its stock back.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def cancel_order(
        self, info: GatewayInfo, id: strawberry.ID
    ) -> CancelOrderResult:
        context = info.context
        order = await context.services.orders.cancel(
            str(id), owner_id=await context.user_id()
        )
        await forget_order_products(context, order)
        return Order.from_domain(order)

    @strawberry.mutation(
        description="Move any order along its lifecycle (orders:write).",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def update_order_status(
        self, info: GatewayInfo, id: strawberry.ID, status: OrderStatus
    ) -> UpdateOrderStatusResult:
        denied = forbidden_unless(info, ORDERS_WRITE)
        if denied is not None:
            return denied
        order = await info.context.services.orders.update_status(
            str(id), status.to_domain()
        )
        if order.status is OrderStatusValue.CANCELLED:  # its stock went back
            await forget_order_products(info.context, order)
        return Order.from_domain(order)
