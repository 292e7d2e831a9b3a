"""Use cases of the cart service, over two ports: a cart store and a catalog.

Every change is read-modify-write under the cart's ETag: when another request
changed the cart in between, the write is refused and the change is made again
on the fresh cart (a few times, then `ConcurrentUpdate`). Stock is read once
per change, before the loop: the cart reserves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from services.cart.domain import (
    Cart,
    ConcurrentUpdate,
    OutOfStock,
    now,
    validate_ids,
    validate_line_count,
    validate_quantity,
)

ATTEMPTS = 5


class CartStore(Protocol):
    def load(self, user_id: str) -> tuple[Cart, str | None]:
        """The cart and its ETag (an empty cart and None when there is none)."""
        ...

    def save(self, cart: Cart, etag: str | None, ttl_seconds: int) -> None:
        """Write if the stored ETag is still `etag` (None: if there is no cart
        yet); raise ConcurrentUpdate otherwise."""
        ...

    def delete(self, user_id: str, etag: str | None = None) -> None:
        """Forget the cart (only if its ETag is still `etag`, when given)."""
        ...


class Catalog(Protocol):
    def stock_of(self, product_id: str) -> int:
        """Units in stock; raises ProductNotFound for an unknown product."""
        ...


class CartService:
    def __init__(
        self,
        store: CartStore,
        catalog: Catalog,
        ttl_seconds: int,
        max_line_quantity: int,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._ttl = ttl_seconds
        self.max_line_quantity = max_line_quantity

    def get(self, user_id: str) -> Cart:
        validate_ids(user_id)
        return self._store.load(user_id)[0]

    def add(self, user_id: str, product_id: str, quantity: int) -> Cart:
        """Add `quantity` units to the product's line."""
        validate_ids(user_id, product_id)
        validate_quantity(quantity, self.max_line_quantity)
        stock = self._catalog.stock_of(product_id)

        def change(cart: Cart) -> Cart:
            validate_line_count(cart, product_id)
            wanted = cart.quantity_of(product_id) + quantity
            self._check(product_id, wanted, stock)
            return cart.with_quantity(product_id, wanted, now())

        return self._change(user_id, change)

    def set_quantity(self, user_id: str, product_id: str, quantity: int) -> Cart:
        validate_ids(user_id, product_id)
        validate_quantity(quantity, self.max_line_quantity)
        stock = self._catalog.stock_of(product_id)
        self._check(product_id, quantity, stock)

        def change(cart: Cart) -> Cart:
            validate_line_count(cart, product_id)
            return cart.with_quantity(product_id, quantity, now())

        return self._change(user_id, change)

    def remove(self, user_id: str, product_id: str) -> Cart:
        validate_ids(user_id, product_id)
        return self._change(user_id, lambda c: c.with_quantity(product_id, 0, now()))

    def clear(self, user_id: str) -> Cart:
        validate_ids(user_id)
        self._store.delete(user_id)
        return Cart(user_id)

    def _check(self, product_id: str, quantity: int, stock: int) -> None:
        validate_quantity(quantity, self.max_line_quantity)
        if quantity > stock:
            raise OutOfStock(product_id, quantity, stock)

    def _change(self, user_id: str, change: Callable[[Cart], Cart]) -> Cart:
        for _ in range(ATTEMPTS):
            cart, etag = self._store.load(user_id)
            changed = change(cart)
            if changed.lines == cart.lines:
                return cart
            try:
                if changed.lines:
                    self._store.save(changed, etag, self._ttl)
                else:
                    self._store.delete(user_id, etag)
            except ConcurrentUpdate:
                continue
            return changed
        raise ConcurrentUpdate(user_id)
