"""What a gRPC caller of ProductService sees: messages, codes and rich details."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

from common.caller import PRODUCTS_WRITE
from common.error_details import Reason
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2
from services.product.domain import Product
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


@pytest.fixture
def lock() -> FakeStockLock:
    return FakeStockLock()


@pytest.fixture
def api(lock: FakeStockLock) -> ProductServicer:
    repo, events = FakeProductRepository(), FakeProductEvents()
    return ProductServicer(
        ProductService(repo, events, lock),
        StockService(repo, FakeReservations(), lock, events),
    )


def create(
    api: ProductServicer, stock: int = 3, currency: str = "usd"
) -> product_pb2.Product:
    return api.CreateProduct(
        product_pb2.CreateProductRequest(
            name="Mug",
            category="kitchen",
            price=money_pb2.Money(amount=1299, currency=currency),
            stock=stock,
        ),
        admin(),
    )


def admin() -> FakeContext:
    return as_gateway("root", PRODUCTS_WRITE)


def order_app() -> FakeContext:
    return as_app("order")


def aborted(call: Callable[[], object]) -> Aborted:
    with pytest.raises(Aborted) as err:
        call()
    return err.value


def test_a_created_product_comes_back_complete(api: ProductServicer) -> None:
    product = create(api)
    assert product.price.currency == "USD"  # upper-cased at the edge
    assert product.created_at.seconds > 0
    got = api.GetProduct(product_pb2.GetProductRequest(id=product.id), FakeContext())
    assert got == product


def test_a_reservation_answers_the_stock_left_and_the_price(
    api: ProductServicer,
) -> None:
    product = create(api, stock=3)
    level = api.ReserveStock(
        product_pb2.ReserveStockRequest(
            product_id=product.id, quantity=2, reservation_id="r-1"
        ),
        order_app(),
    )
    assert (level.stock, level.name, level.price.amount) == (1, "Mug", 1299)


def test_out_of_stock_carries_the_product_and_the_counts(api: ProductServicer) -> None:
    product = create(api, stock=3)
    err = aborted(
        lambda: api.ReserveStock(
            product_pb2.ReserveStockRequest(
                product_id=product.id, quantity=5, reservation_id="r-1"
            ),
            order_app(),
        )
    )
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert err.detail is not None
    assert err.detail.reason == Reason.OUT_OF_STOCK
    assert err.detail.metadata == {
        "product_id": product.id,
        "requested": "5",
        "available": "3",
    }


def test_an_unknown_product_is_not_found_naming_it(api: ProductServicer) -> None:
    err = aborted(
        lambda: api.GetProduct(product_pb2.GetProductRequest(id="ghost"), FakeContext())
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert err.detail is not None
    assert err.detail.reason == Reason.NOT_FOUND
    assert err.detail.metadata == {"resource": "product", "id": "ghost"}


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (product_pb2.CreateProductRequest(name="Mug", category="k"), "price"),
        (
            product_pb2.CreateProductRequest(
                name="Mug", category="k", price=money_pb2.Money(amount=1)
            ),
            "price.currency",
        ),
        (
            product_pb2.CreateProductRequest(
                name="",
                category="k",
                price=money_pb2.Money(amount=1, currency="USD"),
            ),
            "name",
        ),
    ],
)
def test_bad_input_names_the_field(
    api: ProductServicer, request_: product_pb2.CreateProductRequest, field: str
) -> None:
    err = aborted(lambda: api.CreateProduct(request_, admin()))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.detail is not None
    assert err.detail.reason == Reason.INVALID_ARGUMENT
    assert [v.field for v in err.detail.violations] == [field]


def test_an_update_changes_only_the_fields_present(api: ProductServicer) -> None:
    product = create(api, stock=3)
    updated = api.UpdateProduct(
        product_pb2.UpdateProductRequest(id=product.id, stock=9), admin()
    )
    assert (updated.stock, updated.name) == (9, "Mug")


def test_listing_pages_with_a_token(api: ProductServicer) -> None:
    for _ in range(3):
        create(api)
    first = api.ListProducts(
        product_pb2.ListProductsRequest(page_size=2), FakeContext()
    )
    rest = api.ListProducts(
        product_pb2.ListProductsRequest(page_size=2, page_token=first.next_page_token),
        FakeContext(),
    )
    assert len(first.products) == 2 and first.next_page_token
    assert len(rest.products) == 1 and not rest.next_page_token


def test_listing_backward_pages_from_the_end(api: ProductServicer) -> None:
    for _ in range(3):
        create(api)
    everything = api.ListProducts(product_pb2.ListProductsRequest(), FakeContext())
    end = api.ListProducts(
        product_pb2.ListProductsRequest(page_size=2, backward=True), FakeContext()
    )
    start = api.ListProducts(
        product_pb2.ListProductsRequest(
            page_size=2, page_token=end.next_page_token, backward=True
        ),
        FakeContext(),
    )
    assert list(start.products) + list(end.products) == list(everything.products)
    assert len(end.products) == 2 and end.next_page_token
    assert not start.next_page_token


def test_check_stock_commit_and_release_by_reservation_id(
    api: ProductServicer,
) -> None:
    product = create(api, stock=2)
    check = api.CheckStock(
        product_pb2.CheckStockRequest(product_id=product.id, quantity=3),
        FakeContext(),
    )
    assert (check.available, check.stock) == (False, 2)
    ids = {"product_id": product.id, "reservation_id": "r-1"}
    api.ReserveStock(product_pb2.ReserveStockRequest(quantity=2, **ids), order_app())
    level = api.CommitStock(product_pb2.CommitStockRequest(**ids), order_app())
    assert level.stock == 0
    for _ in range(2):  # a retried release gives nothing more back
        level = api.ReleaseStock(product_pb2.ReleaseStockRequest(**ids), order_app())
        assert level.stock == 2


def test_a_reservation_needs_an_id(api: ProductServicer) -> None:
    product = create(api)
    err = aborted(
        lambda: api.ReserveStock(
            product_pb2.ReserveStockRequest(product_id=product.id, quantity=1),
            order_app(),
        )
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.detail is not None
    assert err.detail.violations[0].field == "reservation_id"


def test_a_lock_not_had_in_time_is_unavailable_naming_it(
    api: ProductServicer, lock: FakeStockLock
) -> None:
    product = create(api)
    lock.busy = True
    err = aborted(
        lambda: api.ReserveStock(
            product_pb2.ReserveStockRequest(
                product_id=product.id, quantity=1, reservation_id="r-1"
            ),
            order_app(),
        )
    )
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert err.detail is not None and err.detail.reason == Reason.UNAVAILABLE
    assert err.detail.fact("dependency") == "stock lock"


def test_committing_an_unknown_reservation_is_not_found(api: ProductServicer) -> None:
    product = create(api)
    err = aborted(
        lambda: api.CommitStock(
            product_pb2.CommitStockRequest(product_id=product.id, reservation_id="r-9"),
            order_app(),
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert err.detail is not None and err.detail.fact("resource") == "reservation"


def test_an_unexpected_failure_is_internal_and_says_nothing(
    api: ProductServicer,
) -> None:
    def broken(product_id: str) -> Product:
        raise ZeroDivisionError("a bug")

    api._service.get = broken  # type: ignore[method-assign]
    err = aborted(
        lambda: api.GetProduct(product_pb2.GetProductRequest(id="x"), FakeContext())
    )
    assert err.code() == grpc.StatusCode.INTERNAL
    assert err.details() == "internal error" and err.detail is None
