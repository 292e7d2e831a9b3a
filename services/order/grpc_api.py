"""OrderService over gRPC: proto <-> domain, domain errors -> status codes.

Every method is the gateway's, made for the acting user it forwards
(common.caller): an order is placed, listed and cancelled for that user only,
and the owner a request names must be that user (empty or another user's id:
refused, with an audit line). An admin with orders:write reads any order by
id (GetOrder without an owner: the service's admin_get, never an "any owner"
read of the user-scoped get) and moves any order along its lifecycle.
"""

from __future__ import annotations

import grpc

from common.caller import GATEWAY, ORDERS_WRITE, Caller, PermissionDenied, caller_of
from common.grpc_errors import status_for
from protos.order.v1 import order_pb2, order_pb2_grpc
from services.order.domain import (
    CurrencyMismatch,
    IllegalTransition,
    LineRequest,
    Order,
    OrderNotFound,
    OutOfStock,
    Unavailable,
    ValidationError,
)
from services.order.messages import order_to_proto, status_from_proto
from services.order.service import OrderService

ERRORS = status_for(
    {
        ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
        OrderNotFound: grpc.StatusCode.NOT_FOUND,
        OutOfStock: grpc.StatusCode.FAILED_PRECONDITION,
        IllegalTransition: grpc.StatusCode.FAILED_PRECONDITION,
        CurrencyMismatch: grpc.StatusCode.FAILED_PRECONDITION,
        Unavailable: grpc.StatusCode.UNAVAILABLE,
        PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    }
)


def _gateway(context: grpc.ServicerContext, method: str) -> Caller:
    return caller_of(context, method).require_app(GATEWAY)


def _read(service: OrderService, caller: Caller, order_id: str, owner_id: str) -> Order:
    """The acting user's order; an admin with orders:write reads any order by
    id (the service's admin_get) or, naming an owner, that owner's."""
    if not caller.actor.has(ORDERS_WRITE):
        return service.get(order_id, caller.require_owner(owner_id, "owner_id"))
    if owner_id:
        return service.get(order_id, owner_id)
    return service.admin_get(order_id)


class OrderServicer(order_pb2_grpc.OrderServiceServicer):
    def __init__(self, service: OrderService) -> None:
        self._service = service

    @ERRORS
    def PlaceOrder(
        self, request: order_pb2.PlaceOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.Order:
        items = [
            LineRequest(item.product_id, item.quantity, index)
            for index, item in enumerate(request.items)
        ]
        user = _gateway(context, "PlaceOrder").require_owner(request.user_id, "user_id")
        order = self._service.place(user, items, request.idempotency_key)
        return order_to_proto(order)

    @ERRORS
    def GetOrder(
        self, request: order_pb2.GetOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.Order:
        caller = _gateway(context, "GetOrder")
        order = _read(self._service, caller, request.id, request.owner_id)
        return order_to_proto(order)

    @ERRORS
    def ListOrders(
        self, request: order_pb2.ListOrdersRequest, context: grpc.ServicerContext
    ) -> order_pb2.ListOrdersResponse:
        user = _gateway(context, "ListOrders").require_owner(request.user_id, "user_id")
        page = self._service.list_for_user(
            user, request.page_size, request.page_token, request.backward
        )
        return order_pb2.ListOrdersResponse(
            orders=[order_to_proto(o) for o in page.orders],
            next_page_token=page.next_token,
        )

    @ERRORS
    def UpdateOrderStatus(
        self,
        request: order_pb2.UpdateOrderStatusRequest,
        context: grpc.ServicerContext,
    ) -> order_pb2.Order:
        _gateway(context, "UpdateOrderStatus").require_permission(ORDERS_WRITE)
        status = status_from_proto(request.status)
        return order_to_proto(self._service.admin_change_status(request.id, status))

    @ERRORS
    def CancelOrder(
        self, request: order_pb2.CancelOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.Order:
        owner = _gateway(context, "CancelOrder").require_owner(
            request.owner_id, "owner_id"
        )
        return order_to_proto(self._service.cancel(request.id, owner))
