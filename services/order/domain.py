"""Orders: lines priced at reservation, a status lifecycle, and their errors.

- An order starts PENDING (stock reserved, nothing paid); others move it on:
  PENDING -> CONFIRMED -> SHIPPED -> DELIVERED, or CANCELLED from the first two.
- Asking for the status an order already has is a no-op, so a retried cancel or
  confirm succeeds without a second event.
- The same product twice in a request is merged into one line; errors name the
  index of its first occurrence, in proto JSON names (`items[2].productId`).
- Every line must be priced in one currency, else `CurrencyMismatch`
  (FAILED_PRECONDITION): the catalog, not the request, is at fault.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from common import domain
from common.domain import DomainError
from common.domain import OutOfStock as OutOfStock
from common.domain import Unavailable as Unavailable
from common.domain import ValidationError as ValidationError
from common.domain import now as now

MAX_LINES = 50
MAX_QUANTITY = 10_000
MAX_KEY = 128
MAX_USER_ID = 64
MAX_PRODUCT_ID = 64
MAX_AMOUNT = 2**63 - 1  # BIGINT


class OrderNotFound(domain.NotFound):
    def __init__(self, order_id: str) -> None:
        super().__init__("order", order_id)
        self.order_id = order_id


class ProductNotFound(domain.NotFound):
    """Raised by the inventory; the use case turns it into a ValidationError."""

    def __init__(self, product_id: str) -> None:
        super().__init__("product", product_id)
        self.product_id = product_id


class CurrencyMismatch(DomainError):
    reason = "CURRENCY_MISMATCH"

    def __init__(self, currencies: set[str]) -> None:
        self.currencies = sorted(currencies)
        super().__init__(
            "the items are priced in different currencies "
            f"({', '.join(self.currencies)}); order them separately"
        )

    def facts(self) -> dict[str, str]:
        return {"currencies": ",".join(self.currencies)}


class IllegalTransition(DomainError):
    reason = "ILLEGAL_TRANSITION"

    def __init__(self, order_id: str, old: OrderStatus, new: OrderStatus) -> None:
        super().__init__(f"order {order_id}: cannot go from {old.name} to {new.name}")
        self.old = old
        self.new = new

    def facts(self) -> dict[str, str]:
        return {"current_status": self.old.name, "requested_status": self.new.name}


class DuplicateOrder(DomainError):
    """An order with this (user id, idempotency key) was stored meanwhile."""


class OrderStatus(enum.IntEnum):
    """Values equal the proto enum's, so conversion is a cast."""

    PENDING = 1
    CONFIRMED = 2
    SHIPPED = 3
    DELIVERED = 4
    CANCELLED = 5


ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class Money:
    """Integer minor units (cents) and an ISO 4217 currency code."""

    amount: int
    currency: str


@dataclass(frozen=True)
class LineRequest:
    """One requested line; `index` is its position in the request (for errors)."""

    product_id: str
    quantity: int
    index: int = 0


@dataclass(frozen=True)
class Reservation:
    """What the inventory took: the product's name and price at that moment.

    `reservation_id` is ours (`<order id>-<line number>`): the inventory keys
    the reservation by it, so reserving, committing or releasing it again
    changes nothing more.
    """

    product_id: str
    quantity: int
    name: str
    unit_price: Money
    reservation_id: str = ""


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    product_name: str
    quantity: int
    unit_price: Money
    reservation_id: str = ""

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price.amount


@dataclass(frozen=True)
class StockRelease:
    """Stock to give back to the inventory (after a cancel or a failed order)."""

    product_id: str
    quantity: int
    reservation_id: str = ""


def require_owner(owner_id: str) -> str:
    """The owner a user-scoped call names; none is invalid, never "any owner"."""
    if not owner_id:
        raise ValidationError("ownerId", "is required")
    return owner_id


def reservation_id(order_id: str, line_number: int) -> str:
    """The id the inventory knows a line's reservation by (1-based lines)."""
    return f"{order_id}-{line_number}"


class ReservationLost(DomainError):
    """The inventory no longer holds a reservation this order relies on
    (released, or expired and sold since)."""

    def __init__(self, reservation_id: str) -> None:
        super().__init__(f"reservation {reservation_id} is no longer held")
        self.reservation_id = reservation_id


@dataclass(frozen=True)
class Order:
    id: str
    user_id: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    total: Money
    idempotency_key: str
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)

    def owned_by(self, owner_id: str) -> bool:
        """Whether `owner_id` is this order's user. No owner means no one, never
        "any": an empty one is invalid (admins use the service's admin_ methods)."""
        return require_owner(owner_id) == self.user_id

    def transition(self, new: OrderStatus, at: datetime | None = None) -> StatusChange:
        if new == self.status:
            return StatusChange(self, self, ())
        if new not in ALLOWED[self.status]:
            raise IllegalTransition(self.id, self.status, new)
        after = replace(self, status=new, updated_at=at or now())
        releases: tuple[StockRelease, ...] = ()
        if new == OrderStatus.CANCELLED:
            releases = tuple(
                StockRelease(line.product_id, line.quantity, line.reservation_id)
                for line in self.lines
            )
        return StatusChange(self, after, releases)


@dataclass(frozen=True)
class StatusChange:
    """A status change to store atomically: the new status, its event, releases."""

    before: Order
    after: Order
    releases: tuple[StockRelease, ...]

    @property
    def changed(self) -> bool:
        return self.before.status != self.after.status


def validate_placement(
    user_id: str, items: list[LineRequest], idempotency_key: str
) -> list[LineRequest]:
    """Checks a PlaceOrder request; returns its lines with duplicates merged."""
    if not user_id.strip():
        raise ValidationError("userId", "is required")
    if len(user_id) > MAX_USER_ID:
        raise ValidationError("userId", f"at most {MAX_USER_ID} characters")
    if not idempotency_key.strip():
        raise ValidationError("idempotencyKey", "is required")
    if len(idempotency_key) > MAX_KEY:
        raise ValidationError("idempotencyKey", f"at most {MAX_KEY} characters")
    if not items:
        raise ValidationError("items", "must not be empty")
    if len(items) > MAX_LINES:
        raise ValidationError("items", f"at most {MAX_LINES} lines")
    merged: dict[str, LineRequest] = {}
    for index, item in enumerate(items):
        if not item.product_id.strip():
            raise ValidationError(f"items[{index}].productId", "is required")
        if len(item.product_id) > MAX_PRODUCT_ID:
            raise ValidationError(
                f"items[{index}].productId", f"at most {MAX_PRODUCT_ID} characters"
            )
        if item.quantity <= 0:
            raise ValidationError(
                f"items[{index}].quantity", "must be greater than zero"
            )
        first = merged.get(item.product_id)
        quantity = item.quantity + (first.quantity if first else 0)
        if quantity > MAX_QUANTITY:
            raise ValidationError(
                f"items[{index}].quantity", f"at most {MAX_QUANTITY} per product"
            )
        merged[item.product_id] = LineRequest(
            item.product_id, quantity, first.index if first else index
        )
    return list(merged.values())


def new_order(
    order_id: str,
    user_id: str,
    idempotency_key: str,
    reservations: list[Reservation],
    at: datetime | None = None,
) -> Order:
    """A PENDING order priced from what the inventory reserved."""
    currencies = {r.unit_price.currency for r in reservations}
    if len(currencies) != 1:
        raise CurrencyMismatch(currencies)
    lines = tuple(
        OrderLine(r.product_id, r.name, r.quantity, r.unit_price, r.reservation_id)
        for r in reservations
    )
    total = sum(line.subtotal for line in lines)
    if total > MAX_AMOUNT:
        raise ValidationError("items", "the order total is too large")
    created = at or now()
    return Order(
        id=order_id,
        user_id=user_id,
        status=OrderStatus.PENDING,
        lines=lines,
        total=Money(total, currencies.pop()),
        idempotency_key=idempotency_key,
        created_at=created,
        updated_at=created,
    )
