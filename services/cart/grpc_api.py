"""CartService over gRPC: proto <-> domain, domain errors -> status codes."""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from common.caller import PermissionDenied, caller_of
from common.grpc_errors import status_for
from protos.cart.v1 import cart_pb2, cart_pb2_grpc
from services.cart.domain import (
    Cart,
    ConcurrentUpdate,
    OutOfStock,
    ProductNotFound,
    Unavailable,
    ValidationError,
)
from services.cart.service import CartService

ERRORS = status_for(
    {
        ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
        ProductNotFound: grpc.StatusCode.NOT_FOUND,
        OutOfStock: grpc.StatusCode.FAILED_PRECONDITION,
        ConcurrentUpdate: grpc.StatusCode.ABORTED,
        Unavailable: grpc.StatusCode.UNAVAILABLE,
        PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    }
)


def cart_to_proto(cart: Cart, max_line_quantity: int) -> cart_pb2.Cart:
    message = cart_pb2.Cart(user_id=cart.user_id, max_line_quantity=max_line_quantity)
    for line in cart.lines:
        added = Timestamp()
        added.FromDatetime(line.added_at)
        message.lines.append(
            cart_pb2.CartLine(
                product_id=line.product_id, quantity=line.quantity, added_at=added
            )
        )
    if cart.updated_at is not None:
        message.updated_at.FromDatetime(cart.updated_at)
    return message


class CartServicer(cart_pb2_grpc.CartServiceServicer):
    def __init__(self, service: CartService) -> None:
        self._service = service

    def _proto(self, cart: Cart) -> cart_pb2.Cart:
        return cart_to_proto(cart, self._service.max_line_quantity)

    @ERRORS
    def GetCart(
        self, request: cart_pb2.GetCartRequest, context: grpc.ServicerContext
    ) -> cart_pb2.GetCartResponse:
        user = caller_of(context, "GetCart").require_owner(request.user_id, "user_id")
        return cart_pb2.GetCartResponse(cart=self._proto(self._service.get(user)))

    @ERRORS
    def AddItem(
        self, request: cart_pb2.AddItemRequest, context: grpc.ServicerContext
    ) -> cart_pb2.AddItemResponse:
        user = caller_of(context, "AddItem").require_owner(request.user_id, "user_id")
        cart = self._service.add(user, request.product_id, request.quantity)
        return cart_pb2.AddItemResponse(cart=self._proto(cart))

    @ERRORS
    def SetItemQuantity(
        self, request: cart_pb2.SetItemQuantityRequest, context: grpc.ServicerContext
    ) -> cart_pb2.SetItemQuantityResponse:
        user = caller_of(context, "SetItemQuantity").require_owner(
            request.user_id, "user_id"
        )
        cart = self._service.set_quantity(user, request.product_id, request.quantity)
        return cart_pb2.SetItemQuantityResponse(cart=self._proto(cart))

    @ERRORS
    def RemoveItem(
        self, request: cart_pb2.RemoveItemRequest, context: grpc.ServicerContext
    ) -> cart_pb2.RemoveItemResponse:
        user = caller_of(context, "RemoveItem").require_owner(
            request.user_id, "user_id"
        )
        cart = self._service.remove(user, request.product_id)
        return cart_pb2.RemoveItemResponse(cart=self._proto(cart))

    @ERRORS
    def ClearCart(
        self, request: cart_pb2.ClearCartRequest, context: grpc.ServicerContext
    ) -> cart_pb2.ClearCartResponse:
        user = caller_of(context, "ClearCart").require_owner(request.user_id, "user_id")
        cart = self._service.clear(user)
        return cart_pb2.ClearCartResponse(cart=self._proto(cart))
