"""In-memory stand-ins for the product service's ports."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from services.product.domain import (
    DuplicateReservation,
    Product,
    ProductChanges,
    ProductFilter,
    Reservation,
    ReservationState,
    Unavailable,
    now,
)
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

    def list(
        self, flt: ProductFilter, limit: int, cursor: str, backward: bool = False
    ) -> Page:
        matching = [
            p
            for p in sorted(
                self.products.values(), key=lambda p: (p.created_at, p.id), reverse=True
            )
            if (not flt.category or p.category == flt.category)
            and (flt.min_price is None or p.price.amount >= flt.min_price)
            and (flt.max_price is None or p.price.amount <= flt.max_price)
        ]
        ids = [p.id for p in matching]
        if backward:
            # Before the position just after `cursor` (the end when empty).
            end = ids.index(cursor) + 1 if cursor in ids else len(ids)
            before = matching[:end]
            page = before[-limit:]
            more = len(before) > limit
            return Page(page, before[-limit - 1].id if more else "")
        if cursor:
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

    def take(self, product_id: str, quantity: int) -> Product | None:
        return self._add_stock(product_id, -quantity)

    def give_back(self, product_id: str, quantity: int) -> Product | None:
        return self._add_stock(product_id, quantity)


class FakeReservations:
    def __init__(self) -> None:
        self.rows: dict[str, Reservation] = {}

    def get(self, reservation_id: str) -> Reservation | None:
        return self.rows.get(reservation_id)

    def add(self, reservation: Reservation) -> None:
        if reservation.id in self.rows:
            raise DuplicateReservation(reservation.id)
        self.rows[reservation.id] = reservation

    def move(
        self,
        reservation_id: str,
        source: ReservationState,
        target: ReservationState,
        expired: bool = False,
    ) -> bool:
        row = self.rows.get(reservation_id)
        if row is None or row.state is not source:
            return False
        self.rows[reservation_id] = replace(row, state=target, expired=expired)
        return True

    def expired(self, at: datetime, limit: int) -> list[Reservation]:
        due = [
            r
            for r in self.rows.values()
            if r.state is ReservationState.RESERVED and r.expires_at <= at
        ]
        return due[:limit]

    def balance(self, product_id: str) -> dict[ReservationState, int]:
        """Units per state for one product."""
        totals = dict.fromkeys(ReservationState, 0)
        for row in self.rows.values():
            if row.product_id == product_id:
                totals[row.state] += row.quantity
        return totals


class FakeStockLock:
    """A real lock per product (threads), recording who held it; `busy` makes
    every attempt fail as a lock that cannot be had in time does."""

    def __init__(self) -> None:
        self.held: list[str] = []
        self.busy = False
        self._locks: dict[str, threading.Lock] = {}

    @contextlib.contextmanager
    def hold(self, product_id: str) -> Iterator[None]:
        if self.busy:
            raise Unavailable("stock lock", f"stock-{product_id} busy")
        lock = self._locks.setdefault(product_id, threading.Lock())
        with lock:
            self.held.append(product_id)
            yield


class FakeProductEvents:
    """What the service announced: ("updated", id) or ("stock", id, stock)."""

    def __init__(self) -> None:
        self.sent: list[tuple[object, ...]] = []

    def product_updated(self, product_id: str) -> None:
        self.sent.append(("updated", product_id))

    def stock_changed(self, product_id: str, stock: int) -> None:
        self.sent.append(("stock", product_id, stock))
