"""Stock use cases of the product service: reservations, keyed by the caller's id.

Stock moves only through reservations, so a retried or duplicated reserve,
commit or release changes nothing more:

    reserve: available -> reserved   (expires unless committed in time)
    commit:  reserved -> sold        (the order was placed)
    release: reserved or sold -> available (cancel, compensation, expiry)

Every stock change of one product runs inside `StockLock.hold(product_id)`,
which spans processes (FerretDB does not apply a conditional update atomically
under concurrency). Per product, available + reserved + sold equals the stock
received (`adapters/stock_balance.py` checks it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from services.product.domain import (
    DuplicateReservation,
    NotFound,
    OutOfStock,
    Product,
    Reservation,
    ReservationClosed,
    ReservationNotFound,
    ReservationState,
    Unavailable,
    ValidationError,
    now,
    validate_quantity,
    validate_reservation_id,
)
from services.product.service import ProductEvents, ProductRepository, StockLock

log = logging.getLogger(__name__)


class ReservationRepository(Protocol):
    def get(self, reservation_id: str) -> Reservation | None: ...
    def add(self, reservation: Reservation) -> None:
        """Raises DuplicateReservation when the id is taken."""
        ...

    def move(
        self,
        reservation_id: str,
        source: ReservationState,
        target: ReservationState,
        expired: bool = False,
    ) -> bool:
        """source -> target if it is in `source` now (a conditional update)."""
        ...

    def expired(self, at: datetime, limit: int) -> list[Reservation]:
        """RESERVED reservations whose expiry is at or before `at`."""
        ...


class StockService:
    def __init__(
        self,
        products: ProductRepository,
        reservations: ReservationRepository,
        lock: StockLock,
        events: ProductEvents,
        reservation_ttl: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = now,
    ) -> None:
        self._repo = products
        self._reservations = reservations
        self._lock = lock
        self._events = events
        self._ttl = reservation_ttl
        self._clock = clock

    def _current(self, product_id: str) -> Product:
        product = self._repo.get(product_id) if product_id else None
        if product is None:
            raise NotFound(product_id)
        return product

    def reserve(self, reservation_id: str, product_id: str, quantity: int) -> Product:
        validate_reservation_id(reservation_id)
        validate_quantity(quantity)
        with self._lock.hold(product_id):
            existing = self._reservations.get(reservation_id)
            if existing is not None:
                return self._replayed(existing, product_id, quantity)
            taken = self._repo.take(product_id, quantity)
            if taken is None:
                current = self._current(product_id)  # NotFound if there is none
                raise OutOfStock(product_id, quantity, current.stock)
            # A crash right here leaks the units (never oversells): FerretDB
            # has no multi-document transaction.
            try:
                self._reservations.add(
                    Reservation(
                        reservation_id,
                        product_id,
                        quantity,
                        ReservationState.RESERVED,
                        self._clock() + self._ttl,
                    )
                )
            except DuplicateReservation:
                # A twin call won (possible only without the lock).
                self._repo.give_back(product_id, quantity)
                twin = self._reservations.get(reservation_id)
                if twin is None:  # pragma: no cover - the index said otherwise
                    raise
                return self._replayed(twin, product_id, quantity)
        self._events.stock_changed(product_id, taken.stock)
        return taken

    def _replayed(
        self, existing: Reservation, product_id: str, quantity: int
    ) -> Product:
        """A reserve seen before: no change, or a refusal if it cannot be it."""
        if existing.product_id != product_id:
            raise ValidationError("reservation_id", "is used for another product")
        if existing.state is ReservationState.RELEASED:
            raise ReservationClosed(existing.id, existing.state)
        if existing.quantity != quantity:
            raise ValidationError("reservation_id", "is used for another quantity")
        return self._current(product_id)

    def commit(self, reservation_id: str, product_id: str) -> Product:
        validate_reservation_id(reservation_id)
        with self._lock.hold(product_id):
            found = self._reservations.get(reservation_id)
            if found is None or found.product_id != product_id:
                raise ReservationNotFound(reservation_id)
            if found.state is not ReservationState.RELEASED:
                self._reservations.move(
                    reservation_id,
                    ReservationState.RESERVED,
                    ReservationState.COMMITTED,
                )
                # Committed by us or a twin; released meanwhile is checked below.
                found = self._reservations.get(reservation_id) or found
                if found.state is ReservationState.COMMITTED:
                    return self._current(product_id)
            if not found.expired or found.quantity == 0:
                raise ReservationClosed(reservation_id, found.state)
            taken = self._retake(found)
        log.warning("reservation %s committed after it expired", reservation_id)
        self._events.stock_changed(product_id, taken.stock)
        return taken

    def _retake(self, found: Reservation) -> Product:
        """Commit of a reservation the expiry sweep released: take it again."""
        if not self._reservations.move(
            found.id, ReservationState.RELEASED, ReservationState.COMMITTED
        ):
            raise ReservationClosed(found.id, found.state)
        taken = self._repo.take(found.product_id, found.quantity)
        if taken is None:  # sold since: undo
            self._reservations.move(
                found.id,
                ReservationState.COMMITTED,
                ReservationState.RELEASED,
                expired=True,
            )
            raise ReservationClosed(found.id, found.state)
        return taken

    def release(self, reservation_id: str, product_id: str) -> Product:
        validate_reservation_id(reservation_id)
        with self._lock.hold(product_id):
            found = self._reservations.get(reservation_id)
            if found is None:
                return self._tombstone(reservation_id, product_id)
            if found.product_id != product_id:
                raise ReservationNotFound(reservation_id)
            released = self._give_back(found, expired=False)
        if released is None:  # already released: nothing changes
            return self._current(product_id)
        self._events.stock_changed(product_id, released.stock)
        return released

    def _tombstone(self, reservation_id: str, product_id: str) -> Product:
        """Released before it was made (a compensation overtook a reserve that
        timed out): remember it, so that reserve is refused when it arrives."""
        product = self._current(product_id)
        try:
            self._reservations.add(
                Reservation(
                    reservation_id, product_id, 0, ReservationState.RELEASED, now()
                )
            )
        except DuplicateReservation:
            # The reserve landed meanwhile (possible only without the lock).
            found = self._reservations.get(reservation_id)
            if found is not None and self._give_back(found, expired=False):
                return self._current(product_id)
        return product

    def _give_back(self, reservation: Reservation, expired: bool) -> Product | None:
        """Reserved or committed -> released, and its units back in stock; None
        when it was released already. The state moves first (conditionally),
        so two releases never both give the units back; a crash between the
        two writes leaks them instead."""
        for source in (ReservationState.RESERVED, ReservationState.COMMITTED):
            if expired and source is ReservationState.COMMITTED:
                return None
            if self._reservations.move(
                reservation.id, source, ReservationState.RELEASED, expired=expired
            ):
                product = self._repo.give_back(
                    reservation.product_id, reservation.quantity
                )
                if product is None:
                    raise NotFound(reservation.product_id)
                return product
        return None

    def release_expired(self, limit: int = 100) -> int:
        """One pass of the expiry sweep; returns how many were released."""
        at = self._clock()
        released = 0
        for candidate in self._reservations.expired(at, limit):
            try:
                with self._lock.hold(candidate.product_id):
                    current = self._reservations.get(candidate.id)
                    if current is None or current.expires_at > at:
                        continue
                    product = self._give_back(current, expired=True)
            except (Unavailable, NotFound) as err:
                log.warning("expiry of reservation %s: %s", candidate.id, err)
                continue
            if product is None:
                continue  # committed or released meanwhile
            log.info(
                "reservation %s expired: %s x%d back in stock",
                current.id,
                current.product_id,
                current.quantity,
            )
            self._events.stock_changed(product.id, product.stock)
            released += 1
        return released
