"""The cart service: its port and the gRPC client behind it."""

from __future__ import annotations

from typing import Protocol

import grpc

from common.caller import Actor
from gateway.clients.convert import moment
from gateway.clients.invocation import Invocation
from gateway.clients.models import Cart, CartLine
from protos.cart.v1 import cart_pb2, cart_pb2_grpc


class CartClient(Protocol):
    async def get(self, user_id: str) -> Cart: ...
    async def add(self, user_id: str, product_id: str, quantity: int) -> Cart: ...
    async def set_quantity(
        self, user_id: str, product_id: str, quantity: int
    ) -> Cart: ...
    async def remove(self, user_id: str, product_id: str) -> Cart: ...
    async def clear(self, user_id: str) -> Cart: ...


def cart(message: cart_pb2.Cart) -> Cart:
    return Cart(
        user_id=message.user_id,
        lines=tuple(
            CartLine(line.product_id, line.quantity, moment(line.added_at))
            for line in message.lines
        ),
        updated_at=moment(message.updated_at)
        if message.HasField("updated_at")
        else None,
        max_line_quantity=message.max_line_quantity,
    )


def owner(user_id: str) -> Actor:
    """A cart is always the signed-in user's own: the resolvers pass the id
    they took from the verified token, and the cart service checks it is the
    acting user's (common.caller)."""
    return Actor(user_id=user_id)


class GrpcCartClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = cart_pb2_grpc.CartServiceStub(channel)
        self._call = invocation

    async def get(self, user_id: str) -> Cart:
        response = await self._call.call(
            self._stub.GetCart,
            cart_pb2.GetCartRequest(user_id=user_id),
            actor=owner(user_id),
        )
        return cart(response.cart)

    async def add(self, user_id: str, product_id: str, quantity: int) -> Cart:
        request = cart_pb2.AddItemRequest(
            user_id=user_id, product_id=product_id, quantity=quantity
        )
        response = await self._call.call(
            self._stub.AddItem, request, actor=owner(user_id)
        )
        return cart(response.cart)

    async def set_quantity(self, user_id: str, product_id: str, quantity: int) -> Cart:
        request = cart_pb2.SetItemQuantityRequest(
            user_id=user_id, product_id=product_id, quantity=quantity
        )
        response = await self._call.call(
            self._stub.SetItemQuantity, request, actor=owner(user_id)
        )
        return cart(response.cart)

    async def remove(self, user_id: str, product_id: str) -> Cart:
        request = cart_pb2.RemoveItemRequest(user_id=user_id, product_id=product_id)
        response = await self._call.call(
            self._stub.RemoveItem, request, actor=owner(user_id)
        )
        return cart(response.cart)

    async def clear(self, user_id: str) -> Cart:
        response = await self._call.call(
            self._stub.ClearCart,
            cart_pb2.ClearCartRequest(user_id=user_id),
            actor=owner(user_id),
        )
        return cart(response.cart)
