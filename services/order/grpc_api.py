"""OrderService over gRPC: proto <-> domain, domain errors -> status codes."""

from __future__ import annotations

import grpc

from common.grpc_errors import status_for
from protos.order.v1 import order_pb2, order_pb2_grpc
from services.order.domain import (
    CurrencyMismatch,
    IllegalTransition,
    LineRequest,
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
    }
)


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
        order = self._service.place(request.user_id, items, request.idempotency_key)
        return order_to_proto(order)

    @ERRORS
    def GetOrder(
        self, request: order_pb2.GetOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.Order:
        return order_to_proto(self._service.get(request.id, request.owner_id))

    @ERRORS
    def ListOrders(
        self, request: order_pb2.ListOrdersRequest, context: grpc.ServicerContext
    ) -> order_pb2.ListOrdersResponse:
        page = self._service.list_for_user(
            request.user_id, request.page_size, request.page_token
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
        status = status_from_proto(request.status)
        return order_to_proto(self._service.change_status(request.id, status))

    @ERRORS
    def CancelOrder(
        self, request: order_pb2.CancelOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.Order:
        return order_to_proto(self._service.cancel(request.id, request.owner_id))
