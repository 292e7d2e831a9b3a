"""An in-memory cart service for the gateway's tests: the cart's rules (per
line limit, stock, unknown products) over the fake catalog."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Protocol

from gateway import clients

MAX_LINE = 10
AT = datetime(2026, 1, 1, tzinfo=UTC)


class Catalog(Protocol):
    @property
    def by_id(self) -> Mapping[str, clients.Product]: ...


class FakeCarts:
    def __init__(self, products: Catalog) -> None:
        self.products = products
        self.lines: dict[str, dict[str, int]] = {}
        self.calls: Counter[str] = Counter()
        self.fail: Exception | None = None

    def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.fail is not None:
            raise self.fail

    def _cart(self, user_id: str) -> clients.Cart:
        mine = self.lines.get(user_id, {})
        return clients.Cart(
            user_id,
            tuple(clients.CartLine(p, q, AT) for p, q in mine.items()),
            AT if mine else None,
            MAX_LINE,
        )

    def _set(self, user_id: str, product_id: str, quantity: int) -> clients.Cart:
        if quantity <= 0 or quantity > MAX_LINE:
            raise clients.InvalidArgument(
                [clients.FieldProblem("quantity", f"between 1 and {MAX_LINE}")]
            )
        product = self.products.by_id.get(product_id)
        if product is None:
            raise clients.NotFound(resource="product", id=product_id)
        if quantity > product.stock:
            raise clients.OutOfStock(product_id, quantity, product.stock)
        self.lines.setdefault(user_id, {})[product_id] = quantity
        return self._cart(user_id)

    async def get(self, user_id: str) -> clients.Cart:
        self._check("get")
        return self._cart(user_id)

    async def add(self, user_id: str, product_id: str, quantity: int) -> clients.Cart:
        self._check("add")
        if quantity <= 0:
            return self._set(user_id, product_id, quantity)
        held = self.lines.get(user_id, {}).get(product_id, 0)
        return self._set(user_id, product_id, held + quantity)

    async def set_quantity(
        self, user_id: str, product_id: str, quantity: int
    ) -> clients.Cart:
        self._check("set_quantity")
        return self._set(user_id, product_id, quantity)

    async def remove(self, user_id: str, product_id: str) -> clients.Cart:
        self._check("remove")
        self.lines.get(user_id, {}).pop(product_id, None)
        return self._cart(user_id)

    async def clear(self, user_id: str) -> clients.Cart:
        self._check("clear")
        self.lines.pop(user_id, None)
        return self._cart(user_id)
