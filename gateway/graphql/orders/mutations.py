"""Mutations of orders. Cancelling is the owner's; changing status needs
orders:write."""

from __future__ import annotations

from typing import cast

import strawberry

from gateway import clients
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import result_error
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
    async def place_order(
        self, info: GatewayInfo, input: PlaceOrderInput
    ) -> PlaceOrderResult:
        context = info.context
        lines = input.lines()
        try:
            order = await context.services.orders.place(
                await context.user_id(), lines, input.idempotency_key
            )
        except clients.OutOfStock as err:
            if err.requested is None:  # the service did not say: we know it
                err.requested = (
                    sum(
                        line.quantity
                        for line in lines
                        if line.product_id == err.product_id
                    )
                    or None
                )
            return cast(PlaceOrderResult, result_error(err, PlaceOrderResult))
        except clients.ServiceError as err:
            return cast(PlaceOrderResult, result_error(err, PlaceOrderResult))
        return Order.from_domain(order)

    @strawberry.mutation(
        description="Cancel one of the caller's orders and give its stock back.",
        permission_classes=[IsAuthenticated],
    )
    async def cancel_order(
        self, info: GatewayInfo, id: strawberry.ID
    ) -> CancelOrderResult:
        context = info.context
        try:
            order = await context.services.orders.cancel(
                str(id), owner_id=await context.user_id()
            )
        except clients.ServiceError as err:
            return cast(
                CancelOrderResult, result_error(err, CancelOrderResult, str(id))
            )
        return Order.from_domain(order)

    @strawberry.mutation(
        description="Move any order along its lifecycle (orders:write).",
        permission_classes=[IsAuthenticated],
    )
    async def update_order_status(
        self, info: GatewayInfo, id: strawberry.ID, status: OrderStatus
    ) -> UpdateOrderStatusResult:
        denied = forbidden_unless(info, ORDERS_WRITE)
        if denied is not None:
            return denied
        try:
            order = await info.context.services.orders.update_status(
                str(id), status.to_domain()
            )
        except clients.ServiceError as err:
            return cast(
                UpdateOrderStatusResult,
                result_error(err, UpdateOrderStatusResult, str(id)),
            )
        return Order.from_domain(order)
