"""Catalog use cases of the product service, over three ports: products,
events and the per-product stock lock (a stock update takes it, like every
other stock change; the stock use cases are in stock.py)."""

from __future__ import annotations

import contextlib
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from services.product.domain import (
    Money,
    NotFound,
    Product,
    ProductChanges,
    ProductFilter,
    validate_fields,
    validate_filter,
    validate_quantity,
)

MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class Page:
    products: list[Product]
    next_cursor: str


class ProductRepository(Protocol):
    def insert(self, product: Product) -> None: ...
    def get(self, product_id: str) -> Product | None: ...
    def get_many(self, ids: list[str]) -> list[Product]: ...
    def update(self, product_id: str, changes: ProductChanges) -> Product | None: ...
    def list(
        self, flt: ProductFilter, limit: int, cursor: str, backward: bool = False
    ) -> Page:
        """Newest first, `limit` products after the position `cursor` marks
        (the start when empty), or, `backward`, the `limit` just before it (the
        end when empty); `next_cursor` marks where the next page in that
        direction starts (backward: just before the first product returned)."""
        ...

    def take(self, product_id: str, quantity: int) -> Product | None:
        """Conditionally take `quantity` (stock >= n -> stock -= n), else None."""
        ...

    def give_back(self, product_id: str, quantity: int) -> Product | None: ...


class StockLock(Protocol):
    def hold(self, product_id: str) -> AbstractContextManager[None]:
        """Excludes every other holder of this product's lock, in any process.

        Raises Unavailable when the lock cannot be had in time.
        """
        ...


class ProductEvents(Protocol):
    def product_updated(self, product_id: str) -> None: ...
    def stock_changed(self, product_id: str, stock: int) -> None: ...


class ProductService:
    def __init__(
        self,
        repo: ProductRepository,
        events: ProductEvents,
        lock: StockLock,
    ) -> None:
        self._repo = repo
        self._events = events
        self._lock = lock

    def create(
        self, name: str, description: str, category: str, price: Money, stock: int
    ) -> Product:
        validate_fields(name, description, category, price, stock)
        product = Product(
            id=uuid.uuid4().hex,
            name=name.strip(),
            description=description,
            category=category.strip(),
            price=price,
            stock=stock,
        )
        self._repo.insert(product)
        self._events.product_updated(product.id)
        return product

    def get(self, product_id: str) -> Product:
        product = self._repo.get(product_id) if product_id else None
        if product is None:
            raise NotFound(product_id)
        return product

    def get_many(self, ids: list[str]) -> list[Product]:
        wanted = list(dict.fromkeys(i for i in ids if i))[: MAX_PAGE * 5]
        return self._repo.get_many(wanted) if wanted else []

    def update(self, product_id: str, changes: ProductChanges) -> Product:
        validate_fields(
            changes.name,
            changes.description,
            changes.category,
            changes.price,
            changes.stock,
        )
        guard = (
            self._lock.hold(product_id)
            if changes.stock is not None
            else contextlib.nullcontext()
        )
        with guard:
            updated = self._repo.update(product_id, changes)
        if updated is None:
            raise NotFound(product_id)
        self._events.product_updated(product_id)
        if changes.stock is not None:
            self._events.stock_changed(product_id, updated.stock)
        return updated

    def list(
        self, flt: ProductFilter, page_size: int, cursor: str, backward: bool = False
    ) -> Page:
        validate_filter(flt)
        size = DEFAULT_PAGE if page_size <= 0 else min(page_size, MAX_PAGE)
        return self._repo.list(flt, size, cursor, backward)

    def check_stock(self, product_id: str, quantity: int) -> tuple[bool, int]:
        validate_quantity(quantity)
        product = self.get(product_id)
        return product.stock >= quantity, product.stock
