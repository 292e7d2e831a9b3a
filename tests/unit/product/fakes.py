"""In-memory stand-ins for the product service's ports."""

from __future__ import annotations

from dataclasses import replace

from services.product.domain import Product, ProductChanges, ProductFilter, now
from services.product.service import Page


class FakeProductRepository:
    """Products in a dict, newest first like the Mongo listing; ids as cursors."""

    def __init__(self) -> None:
        self.products: dict[str, Product] = {}

    def insert(self, product: Product) -> None:
        self.products[product.id] = product

    def get(self, product_id: str) -> Product | None:
        return self.products.get(product_id)

    def get_many(self, ids: list[str]) -> list[Product]:
        return [self.products[i] for i in ids if i in self.products]

    def update(self, product_id: str, changes: ProductChanges) -> Product | None:
        product = self.products.get(product_id)
        if product is None:
            return None
        fields = {
            name: getattr(changes, name)
            for name in ("name", "description", "category", "price", "stock")
            if getattr(changes, name) is not None
        }
        self.products[product_id] = replace(product, **fields, updated_at=now())
        return self.products[product_id]

    def list(self, flt: ProductFilter, limit: int, cursor: str) -> Page:
        matching = [
            p
            for p in sorted(
                self.products.values(), key=lambda p: (p.created_at, p.id), reverse=True
            )
            if (not flt.category or p.category == flt.category)
            and (flt.min_price is None or p.price.amount >= flt.min_price)
            and (flt.max_price is None or p.price.amount <= flt.max_price)
        ]
        if cursor:
            ids = [p.id for p in matching]
            matching = matching[ids.index(cursor) + 1 :] if cursor in ids else []
        page = matching[:limit]
        more = len(matching) > limit
        return Page(page, page[-1].id if more else "")

    def _add_stock(self, product_id: str, delta: int) -> Product | None:
        product = self.products.get(product_id)
        if product is None or product.stock + delta < 0:
            return None
        self.products[product_id] = replace(product, stock=product.stock + delta)
        return self.products[product_id]

    def reserve(self, product_id: str, quantity: int) -> Product | None:
        return self._add_stock(product_id, -quantity)

    def release(self, product_id: str, quantity: int) -> Product | None:
        return self._add_stock(product_id, quantity)


class FakeProductEvents:
    """What the service announced: ("updated", id) or ("stock", id, stock)."""

    def __init__(self) -> None:
        self.sent: list[tuple[object, ...]] = []

    def product_updated(self, product_id: str) -> None:
        self.sent.append(("updated", product_id))

    def stock_changed(self, product_id: str, stock: int) -> None:
        self.sent.append(("stock", product_id, stock))
