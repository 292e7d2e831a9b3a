"""ProductService: writes need products:write from the gateway, stock moves
are the order service's alone; reads are open to whoever the sidecar admits."""

from __future__ import annotations

import grpc
import pytest

from common.caller import ORDERS_WRITE, PRODUCTS_WRITE, Actor
from common.error_details import Reason
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2
from services.product.grpc_api import ProductServicer
from services.product.service import ProductService
from services.product.stock import StockService
from tests.unit.common.servicer_context import Aborted, FakeContext, as_app, as_gateway
from tests.unit.product.fakes import (
    FakeProductEvents,
    FakeProductRepository,
    FakeReservations,
    FakeStockLock,
)

ADMIN = as_gateway("root", PRODUCTS_WRITE)
FORGED = Actor("root", "", frozenset({PRODUCTS_WRITE})).metadata()
NOT_ADMINS = [
    as_gateway("alice"),
    as_gateway("root", ORDERS_WRITE),
    as_app("order", *FORGED),
]
NOT_ORDER = [as_gateway("root", PRODUCTS_WRITE), as_app("polyglot"), FakeContext()]


@pytest.fixture
def api() -> ProductServicer:
    repo, events, lock = FakeProductRepository(), FakeProductEvents(), FakeStockLock()
    return ProductServicer(
        ProductService(repo, events, lock),
        StockService(repo, FakeReservations(), lock, events),
    )


@pytest.fixture
def product(api: ProductServicer) -> product_pb2.Product:
    request = product_pb2.CreateProductRequest(
        name="Mug",
        category="k",
        price=money_pb2.Money(amount=1, currency="USD"),
        stock=5,
    )
    return api.CreateProduct(request, ADMIN)


def denied(call) -> None:
    with pytest.raises(Aborted) as err:
        call()
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert err.value.detail is not None
    assert err.value.detail.reason == Reason.PERMISSION_DENIED


@pytest.mark.parametrize("context", NOT_ADMINS, ids=["user", "orders admin", "forged"])
def test_writes_need_products_write(
    api: ProductServicer, product: product_pb2.Product, context: FakeContext
) -> None:
    create = product_pb2.CreateProductRequest(
        name="X", category="k", price=money_pb2.Money(amount=1, currency="USD")
    )
    denied(lambda: api.CreateProduct(create, context))
    update = product_pb2.UpdateProductRequest(id=product.id, stock=0)
    denied(lambda: api.UpdateProduct(update, context))
    assert (
        api.GetProduct(product_pb2.GetProductRequest(id=product.id), context).stock == 5
    )


@pytest.mark.parametrize("context", NOT_ORDER, ids=["gateway admin", "guest", "none"])
def test_stock_moves_only_from_the_order_service(
    api: ProductServicer, product: product_pb2.Product, context: FakeContext
) -> None:
    ids = {"product_id": product.id, "reservation_id": "r-1"}
    reserve = product_pb2.ReserveStockRequest(quantity=1, **ids)
    release = product_pb2.ReleaseStockRequest(**ids)
    commit = product_pb2.CommitStockRequest(**ids)
    denied(lambda: api.ReserveStock(reserve, context))
    denied(lambda: api.ReleaseStock(release, context))
    denied(lambda: api.CommitStock(commit, context))
    assert api.ReserveStock(reserve, as_app("order")).stock == 4
