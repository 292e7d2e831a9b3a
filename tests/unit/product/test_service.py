"""Catalog use cases over fake ports, and what is announced (stock: test_stock)."""

from __future__ import annotations

import pytest

from services.product.domain import (
    Money,
    NotFound,
    Product,
    ProductChanges,
    ProductFilter,
    ValidationError,
)
from services.product.service import DEFAULT_PAGE, MAX_PAGE, ProductService
from tests.unit.product.fakes import (
    FakeProductEvents,
    FakeProductRepository,
    FakeStockLock,
)


@pytest.fixture
def events() -> FakeProductEvents:
    return FakeProductEvents()


@pytest.fixture
def lock() -> FakeStockLock:
    return FakeStockLock()


@pytest.fixture
def service(events: FakeProductEvents, lock: FakeStockLock) -> ProductService:
    return ProductService(FakeProductRepository(), events, lock)


def mug(service: ProductService, stock: int = 10, category: str = "kitchen") -> Product:
    return service.create(" Mug ", "", category, Money(1299, "USD"), stock)


def test_a_created_product_is_stored_trimmed_and_announced(
    service: ProductService, events: FakeProductEvents
) -> None:
    product = mug(service)
    assert product.name == "Mug"
    assert service.get(product.id) == product
    assert events.sent == [("updated", product.id)]


def test_creation_validates_before_storing(
    service: ProductService, events: FakeProductEvents
) -> None:
    with pytest.raises(ValidationError):
        service.create("Mug", "", "kitchen", Money(1, "dollars"), 1)
    assert events.sent == []


def test_unknown_products_are_not_found(service: ProductService) -> None:
    for product_id in ("ghost", ""):
        with pytest.raises(NotFound) as err:
            service.get(product_id)
    assert err.value.facts() == {"resource": "product", "id": ""}
    with pytest.raises(NotFound):
        service.update("ghost", ProductChanges(name="X"))


def test_an_update_announces_the_stock_only_when_it_changes(
    service: ProductService, events: FakeProductEvents
) -> None:
    product = mug(service)
    service.update(product.id, ProductChanges(name="Cup"))
    service.update(product.id, ProductChanges(stock=4))
    assert events.sent[1:] == [
        ("updated", product.id),
        ("updated", product.id),
        ("stock", product.id, 4),
    ]
    assert service.get(product.id).name == "Cup"


def test_a_stock_update_holds_the_products_lock_and_others_do_not(
    service: ProductService, lock: FakeStockLock
) -> None:
    product = mug(service)
    service.update(product.id, ProductChanges(name="Cup"))
    assert lock.held == []
    service.update(product.id, ProductChanges(stock=3))
    assert lock.held == [product.id]


def test_check_stock_answers_without_taking_any(service: ProductService) -> None:
    product = mug(service, stock=2)
    assert service.check_stock(product.id, 2) == (True, 2)
    assert service.check_stock(product.id, 3) == (False, 2)
    assert service.get(product.id).stock == 2


def test_page_sizes_are_clamped(service: ProductService) -> None:
    for _ in range(MAX_PAGE + 1):
        mug(service)
    assert len(service.list(ProductFilter(), 0, "").products) == DEFAULT_PAGE
    page = service.list(ProductFilter(), 1000, "")
    assert len(page.products) == MAX_PAGE and page.next_cursor
    rest = service.list(ProductFilter(), 1000, page.next_cursor)
    assert len(rest.products) == 1 and not rest.next_cursor


def test_a_bad_filter_is_refused(service: ProductService) -> None:
    with pytest.raises(ValidationError):
        service.list(ProductFilter(min_price=5, max_price=1), 10, "")


def test_batch_get_keeps_order_and_skips_unknown_and_repeated_ids(
    service: ProductService,
) -> None:
    a, b = mug(service), mug(service)
    got = service.get_many([b.id, "ghost", a.id, b.id, ""])
    assert [p.id for p in got] == [b.id, a.id]
