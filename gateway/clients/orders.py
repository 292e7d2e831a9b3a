"""The order service: its port and the gRPC client behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import grpc

from common.caller import Actor
from gateway.clients import convert
from gateway.clients.invocation import Invocation
from gateway.clients.models import LineRequest, Order, OrderStatus, Page
from protos.order.v1 import order_pb2, order_pb2_grpc


class OrderClient(Protocol):
    """Every call is made for an acting user (`actor`), whom the order service
    authorises: owners must be that user; admin calls need orders:write."""

    async def place(
        self,
        user_id: str,
        lines: Sequence[LineRequest],
        idempotency_key: str,
        *,
        actor: Actor,
    ) -> Order: ...
    async def get(self, order_id: str, owner_id: str, *, actor: Actor) -> Order: ...
    async def list_for_user(
        self,
        user_id: str,
        page_size: int,
        page_token: str,
        *,
        actor: Actor,
        backward: bool = False,
    ) -> Page[Order]:
        """Newest first; `backward`: the page just before the token's position
        (the end when empty), whose token marks the position before it."""
        ...

    async def update_status(
        self, order_id: str, status: OrderStatus, *, actor: Actor
    ) -> Order: ...
    async def cancel(self, order_id: str, owner_id: str, *, actor: Actor) -> Order: ...


class GrpcOrderClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = order_pb2_grpc.OrderServiceStub(channel)
        self._call = invocation

    async def place(
        self,
        user_id: str,
        lines: Sequence[LineRequest],
        idempotency_key: str,
        *,
        actor: Actor,
    ) -> Order:
        request = order_pb2.PlaceOrderRequest(
            user_id=user_id,
            items=[
                order_pb2.PlaceOrderItem(
                    product_id=line.product_id, quantity=line.quantity
                )
                for line in lines
            ],
            idempotency_key=idempotency_key,
        )
        response = await self._call.call(self._stub.PlaceOrder, request, actor)
        return convert.order(response)

    async def get(self, order_id: str, owner_id: str, *, actor: Actor) -> Order:
        response = await self._call.call(
            self._stub.GetOrder,
            order_pb2.GetOrderRequest(id=order_id, owner_id=owner_id),
            actor,
        )
        return convert.order(response)

    async def list_for_user(
        self,
        user_id: str,
        page_size: int,
        page_token: str,
        *,
        actor: Actor,
        backward: bool = False,
    ) -> Page[Order]:
        request = order_pb2.ListOrdersRequest(
            user_id=user_id,
            page_size=page_size,
            page_token=page_token,
            backward=backward,
        )
        response = await self._call.call(self._stub.ListOrders, request, actor)
        return Page(
            [convert.order(order) for order in response.orders],
            response.next_page_token,
        )

    async def update_status(
        self, order_id: str, status: OrderStatus, *, actor: Actor
    ) -> Order:
        request = order_pb2.UpdateOrderStatusRequest(
            id=order_id, status=order_pb2.OrderStatus.Value(status.name)
        )
        response = await self._call.call(self._stub.UpdateOrderStatus, request, actor)
        return convert.order(response)

    async def cancel(self, order_id: str, owner_id: str, *, actor: Actor) -> Order:
        response = await self._call.call(
            self._stub.CancelOrder,
            order_pb2.CancelOrderRequest(id=order_id, owner_id=owner_id),
            actor,
        )
        return convert.order(response)
