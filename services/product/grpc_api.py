"""ProductService over gRPC: proto <-> domain, domain errors -> status codes.

Reads are open to every caller the sidecar's access table lets in. Creating
and changing products needs the products:write permission the gateway
forwards for its acting user; reserving and releasing stock is the order
service's alone (common.caller).
"""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from common import domain
from common.caller import ORDER_APP, PRODUCTS_WRITE, PermissionDenied, caller_of
from common.grpc_errors import status_for
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2, product_pb2_grpc
from services.product.domain import (
    Money,
    NotFound,
    OutOfStock,
    Product,
    ProductChanges,
    ProductFilter,
    ReservationClosed,
    Unavailable,
    ValidationError,
)
from services.product.service import ProductService
from services.product.stock import StockService

ERRORS = status_for(
    {
        ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
        NotFound: grpc.StatusCode.NOT_FOUND,
        domain.NotFound: grpc.StatusCode.NOT_FOUND,
        OutOfStock: grpc.StatusCode.FAILED_PRECONDITION,
        ReservationClosed: grpc.StatusCode.FAILED_PRECONDITION,
        Unavailable: grpc.StatusCode.UNAVAILABLE,
        PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    }
)


def money_to_proto(money: Money) -> money_pb2.Money:
    return money_pb2.Money(amount=money.amount, currency=money.currency)


def money_from_proto(money: money_pb2.Money, field_name: str) -> Money:
    if not money.currency:
        raise ValidationError(f"{field_name}.currency", "is required")
    return Money(money.amount, money.currency.upper())


def product_to_proto(product: Product) -> product_pb2.Product:
    created, updated = Timestamp(), Timestamp()
    created.FromDatetime(product.created_at)
    updated.FromDatetime(product.updated_at)
    return product_pb2.Product(
        id=product.id,
        name=product.name,
        description=product.description,
        category=product.category,
        price=money_to_proto(product.price),
        stock=product.stock,
        created_at=created,
        updated_at=updated,
    )


def stock_level(product: Product) -> product_pb2.StockLevel:
    return product_pb2.StockLevel(
        product_id=product.id,
        stock=product.stock,
        price=money_to_proto(product.price),
        name=product.name,
    )


class ProductServicer(product_pb2_grpc.ProductServiceServicer):
    def __init__(self, service: ProductService, stock: StockService) -> None:
        self._service = service
        self._stock = stock

    @ERRORS
    def CreateProduct(
        self, request: product_pb2.CreateProductRequest, context: grpc.ServicerContext
    ) -> product_pb2.Product:
        caller_of(context, "CreateProduct").require_permission(PRODUCTS_WRITE)
        if not request.HasField("price"):
            raise ValidationError("price", "is required")
        product = self._service.create(
            request.name,
            request.description,
            request.category,
            money_from_proto(request.price, "price"),
            request.stock,
        )
        return product_to_proto(product)

    @ERRORS
    def GetProduct(
        self, request: product_pb2.GetProductRequest, context: grpc.ServicerContext
    ) -> product_pb2.Product:
        return product_to_proto(self._service.get(request.id))

    @ERRORS
    def BatchGetProducts(
        self,
        request: product_pb2.BatchGetProductsRequest,
        context: grpc.ServicerContext,
    ) -> product_pb2.BatchGetProductsResponse:
        products = self._service.get_many(list(request.ids))
        return product_pb2.BatchGetProductsResponse(
            products=[product_to_proto(p) for p in products]
        )

    @ERRORS
    def UpdateProduct(
        self, request: product_pb2.UpdateProductRequest, context: grpc.ServicerContext
    ) -> product_pb2.Product:
        caller_of(context, "UpdateProduct").require_permission(PRODUCTS_WRITE)
        changes = ProductChanges(
            name=request.name if request.HasField("name") else None,
            description=request.description
            if request.HasField("description")
            else None,
            category=request.category if request.HasField("category") else None,
            price=money_from_proto(request.price, "price")
            if request.HasField("price")
            else None,
            stock=request.stock if request.HasField("stock") else None,
        )
        return product_to_proto(self._service.update(request.id, changes))

    @ERRORS
    def ListProducts(
        self, request: product_pb2.ListProductsRequest, context: grpc.ServicerContext
    ) -> product_pb2.ListProductsResponse:
        flt = ProductFilter(
            category=request.category,
            min_price=request.min_price if request.HasField("min_price") else None,
            max_price=request.max_price if request.HasField("max_price") else None,
            search=request.search,
        )
        page = self._service.list(
            flt, request.page_size, request.page_token, request.backward
        )
        return product_pb2.ListProductsResponse(
            products=[product_to_proto(p) for p in page.products],
            next_page_token=page.next_cursor,
        )

    @ERRORS
    def CheckStock(
        self, request: product_pb2.CheckStockRequest, context: grpc.ServicerContext
    ) -> product_pb2.CheckStockResponse:
        available, stock = self._service.check_stock(
            request.product_id, request.quantity
        )
        return product_pb2.CheckStockResponse(available=available, stock=stock)

    @ERRORS
    def ReserveStock(
        self, request: product_pb2.ReserveStockRequest, context: grpc.ServicerContext
    ) -> product_pb2.StockLevel:
        caller_of(context, "ReserveStock").require_app(ORDER_APP)
        return stock_level(
            self._stock.reserve(
                request.reservation_id, request.product_id, request.quantity
            )
        )

    @ERRORS
    def ReleaseStock(
        self, request: product_pb2.ReleaseStockRequest, context: grpc.ServicerContext
    ) -> product_pb2.StockLevel:
        caller_of(context, "ReleaseStock").require_app(ORDER_APP)
        return stock_level(
            self._stock.release(request.reservation_id, request.product_id)
        )

    @ERRORS
    def CommitStock(
        self, request: product_pb2.CommitStockRequest, context: grpc.ServicerContext
    ) -> product_pb2.StockLevel:
        caller_of(context, "CommitStock").require_app(ORDER_APP)
        return stock_level(
            self._stock.commit(request.reservation_id, request.product_id)
        )
