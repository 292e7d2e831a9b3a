"""Use cases of the order service, over three ports.

- `OrderRepository`: orders, their events and stock releases, each change in
  one transaction (an order never exists without its `order-created` event).
- `Inventory`: reserve, commit and release stock on the product service, by
  reservation id (each call is idempotent there).
- `PendingReleases`: stock commits (of a placed order) and releases (of a
  cancel or a failed placement) that must eventually happen; stored ones are
  retried until the inventory accepts them. A reservation never committed
  expires on the product side.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from services.order.domain import (
    DuplicateOrder,
    LineRequest,
    Order,
    OrderNotFound,
    OrderStatus,
    ProductNotFound,
    Reservation,
    StatusChange,
    StockRelease,
    Unavailable,
    ValidationError,
    new_order,
    require_owner,
    reservation_id,
    validate_placement,
)
from services.order.paging import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Cursor,
    Page,
    decode_cursor,
    encode_cursor,
)

log = logging.getLogger(__name__)


class OrderRepository(Protocol):
    def get(self, order_id: str) -> Order | None: ...
    def find_by_key(self, user_id: str, idempotency_key: str) -> Order | None: ...
    def add(self, order: Order) -> None:
        """Stores the order, its `order-created` event and the commits of its
        reservations (to be processed) in one transaction.

        Raises DuplicateOrder when (user id, key) is already taken.
        """
        ...

    def list_for_user(
        self, user_id: str, limit: int, after: Cursor | None, backward: bool = False
    ) -> list[Order]:
        """Newest first ((created_at, id) descending), at most `limit`, after
        the cursor. `backward`: those before it (the cursor's own order
        included, the end of the list when None), nearest first, so oldest
        first."""
        ...

    def change_status(
        self, order_id: str, decide: Callable[[Order], StatusChange]
    ) -> StatusChange:
        """Locks the order, applies `decide`, stores the change if there is one.

        The new status, its `order-status-changed` event and the change's stock
        releases commit together. Raises OrderNotFound.
        """
        ...


class Inventory(Protocol):
    def reserve(
        self, reservation_id: str, product_id: str, quantity: int
    ) -> Reservation:
        """Raises ProductNotFound, OutOfStock or Unavailable."""
        ...

    def commit(self, reservation_id: str, product_id: str) -> None:
        """Raises ReservationLost when the inventory no longer holds it."""
        ...

    def release(self, reservation_id: str, product_id: str) -> None: ...


class PendingReleases(Protocol):
    def process(self, order_id: str) -> None:
        """Try now the stored commits and releases of this order; failures are
        retried later."""
        ...

    def defer(self, releases: list[StockRelease], reason: str) -> None:
        """Store releases that could not be done now, to be retried."""
        ...


class OrderService:
    def __init__(
        self,
        repo: OrderRepository,
        inventory: Inventory,
        releases: PendingReleases,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._repo = repo
        self._inventory = inventory
        self._releases = releases
        self._new_id = new_id

    def place(
        self, user_id: str, items: list[LineRequest], idempotency_key: str
    ) -> Order:
        """Reserves every line, then stores the order; all or nothing.

        The same (user id, key) returns the order made the first time, even
        when two such calls race (the loser gives its reservations back).
        """
        lines = validate_placement(user_id, items, idempotency_key)
        existing = self._repo.find_by_key(user_id, idempotency_key)
        if existing is not None:
            return existing
        order_id = self._new_id()
        reserved: list[Reservation] = []
        # A reserve that failed without an answer may still have been applied.
        uncertain: list[StockRelease] = []
        try:
            for number, line in enumerate(lines, start=1):
                rid = reservation_id(order_id, number)
                try:
                    reserved.append(self._reserve(rid, line))
                except Unavailable:
                    uncertain.append(StockRelease(line.product_id, line.quantity, rid))
                    raise
            order = new_order(order_id, user_id, idempotency_key, reserved)
            self._repo.add(order)
        except DuplicateOrder:
            self._give_back(reserved, "idempotency race")
            winner = self._repo.find_by_key(user_id, idempotency_key)
            if winner is None:  # pragma: no cover - the unique key says otherwise
                raise
            return winner
        except BaseException as err:
            self._give_back(reserved, f"order not placed: {err}", uncertain)
            raise
        self._follow_up(order.id)
        return order

    def _reserve(self, rid: str, line: LineRequest) -> Reservation:
        try:
            return self._inventory.reserve(rid, line.product_id, line.quantity)
        except ProductNotFound as err:
            raise ValidationError(
                f"items[{line.index}].productId", f"no product {line.product_id}"
            ) from err

    def _follow_up(self, order_id: str) -> None:
        """Commits or releases stored with the order's change, tried now."""
        try:
            self._releases.process(order_id)
        except Exception:
            log.exception("stock follow-ups of order %s left for the retry", order_id)

    def _give_back(
        self,
        reserved: list[Reservation],
        reason: str,
        uncertain: list[StockRelease] | None = None,
    ) -> None:
        """Compensation: release what this call reserved, deferring failures."""
        releases = [
            StockRelease(r.product_id, r.quantity, r.reservation_id)
            for r in reversed(reserved)
        ] + list(uncertain or ())
        if releases:
            log.info("giving back %d reservation(s): %s", len(releases), reason)
        failed: list[StockRelease] = []
        for release in releases:
            try:
                self._inventory.release(release.reservation_id, release.product_id)
            except Exception as err:
                log.warning(
                    "release of %s (%s x%s) failed (%s); deferring it",
                    release.reservation_id,
                    release.product_id,
                    release.quantity,
                    err,
                )
                failed.append(release)
        if not failed:
            return
        try:
            self._releases.defer(failed, reason)
        except Exception:
            log.critical(
                "STOCK LEAK: could neither release nor store the releases %s (%s)",
                failed,
                reason,
                exc_info=True,
            )

    def get(self, order_id: str, owner_id: str) -> Order:
        """`owner_id`'s order (OrderNotFound for another user's); an empty
        owner is a ValidationError, never "any owner"."""
        require_owner(owner_id)
        order = self._repo.get(order_id) if order_id else None
        if order is None or not order.owned_by(owner_id):
            raise OrderNotFound(order_id)
        return order

    def admin_get(self, order_id: str) -> Order:
        """Any user's order, by id: for a caller authorised as an admin."""
        order = self._repo.get(order_id) if order_id else None
        if order is None:
            raise OrderNotFound(order_id)
        return order

    def list_for_user(
        self, user_id: str, page_size: int, page_token: str, backward: bool = False
    ) -> Page:
        """A page of the user's orders, newest first. `backward`: the page just
        before the token's position, whose token marks the position before it."""
        if not user_id:
            raise ValidationError("userId", "is required")
        if page_size < 0:
            raise ValidationError("pageSize", "must not be negative")
        size = DEFAULT_PAGE if page_size == 0 else min(page_size, MAX_PAGE)
        after = decode_cursor(page_token) if page_token else None
        orders = self._repo.list_for_user(user_id, size + 1, after, backward)
        more = len(orders) > size
        if not backward:
            orders = orders[:size]
            return Page(orders, encode_cursor(orders[-1]) if more else "")
        # Just before the page is just after the order before it.
        newest_first = list(reversed(orders[:size]))
        return Page(newest_first, encode_cursor(orders[size]) if more else "")

    def cancel(self, order_id: str, owner_id: str) -> Order:
        """Cancels `owner_id`'s order (OrderNotFound for another user's)."""
        owner = require_owner(owner_id)
        return self._change_status(order_id, OrderStatus.CANCELLED, owner)

    def admin_change_status(self, order_id: str, status: OrderStatus) -> Order:
        """Moves any user's order along: for a caller authorised as an admin."""
        return self._change_status(order_id, status, None)

    def _change_status(
        self, order_id: str, status: OrderStatus, owner_id: str | None
    ) -> Order:
        """Moves the order along its lifecycle; cancelling gives the stock back.
        Owner None is the admin's call (any owner); "" is never that.

        Stock is released after the status commits, from releases stored in
        that same transaction, so a failed release is retried, never lost.
        """
        if not order_id:
            raise OrderNotFound(order_id)

        def decide(order: Order) -> StatusChange:
            if owner_id is not None and not order.owned_by(owner_id):
                raise OrderNotFound(order_id)
            return order.transition(status)

        change = self._repo.change_status(order_id, decide)
        if change.releases:
            self._follow_up(order_id)
        return change.after
