"""In-memory stand-ins for the cart service's ports."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from services.cart.domain import Cart, ConcurrentUpdate, ProductNotFound
from services.cart.service import CartService


class FakeCartStore:
    """Carts by user with a version as ETag, refusing stale writes like the
    sidecar does; `before_write` lets a test slip in a concurrent change."""

    def __init__(self) -> None:
        self.carts: dict[str, tuple[Cart, str]] = {}
        self.ttls: dict[str, int] = {}
        self.before_write: Callable[[], None] | None = None
        self.refused = 0
        self._versions = itertools.count(1)

    def load(self, user_id: str) -> tuple[Cart, str | None]:
        if user_id not in self.carts:
            return Cart(user_id), None
        cart, etag = self.carts[user_id]
        return cart, etag

    def _check(self, user_id: str, etag: str | None) -> None:
        hook, self.before_write = self.before_write, None
        if hook is not None:
            hook()
        current = self.carts.get(user_id)
        if (current[1] if current else None) != etag:
            self.refused += 1
            raise ConcurrentUpdate(user_id)

    def save(self, cart: Cart, etag: str | None, ttl_seconds: int) -> None:
        self._check(cart.user_id, etag)
        self.carts[cart.user_id] = (cart, str(next(self._versions)))
        self.ttls[cart.user_id] = ttl_seconds

    def delete(self, user_id: str, etag: str | None = None) -> None:
        if etag is not None:
            self._check(user_id, etag)
        self.carts.pop(user_id, None)


class FakeCatalog:
    def __init__(self) -> None:
        self.stock: dict[str, int] = {}

    def stock_of(self, product_id: str) -> int:
        if product_id not in self.stock:
            raise ProductNotFound(product_id)
        return self.stock[product_id]


class World:
    def __init__(self, max_line_quantity: int = 10) -> None:
        self.store = FakeCartStore()
        self.catalog = FakeCatalog()
        self.catalog.stock.update({"mug": 5, "tea": 100})
        self.service = CartService(
            self.store,
            self.catalog,
            ttl_seconds=3600,
            max_line_quantity=max_line_quantity,
        )
