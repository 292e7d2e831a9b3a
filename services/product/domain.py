"""The catalog: products, money and the errors the product service can raise."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime

from common import domain
from common.domain import OutOfStock as OutOfStock
from common.domain import Unavailable as Unavailable
from common.domain import ValidationError as ValidationError
from common.domain import now as now

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_CATEGORY = 64
MAX_RESERVATION_ID = 128


class NotFound(domain.NotFound):
    def __init__(self, product_id: str) -> None:
        super().__init__("product", product_id)
        self.product_id = product_id


class ReservationNotFound(domain.NotFound):
    def __init__(self, reservation_id: str) -> None:
        super().__init__("reservation", reservation_id)


class ReservationClosed(domain.DomainError):
    """The reservation was released (or expired and its stock sold since)."""

    reason = "FAILED_PRECONDITION"

    def __init__(self, reservation_id: str, state: ReservationState) -> None:
        super().__init__(f"reservation {reservation_id} is {state.value}")
        self.state = state

    def facts(self) -> dict[str, str]:
        return {"current_status": self.state.name}


class DuplicateReservation(Exception):
    """A reservation with this id was recorded meanwhile (a concurrent twin)."""


class ReservationState(enum.Enum):
    RESERVED = "reserved"  # stock held until it expires
    COMMITTED = "committed"  # sold: the order was placed
    RELEASED = "released"  # stock given back (cancel, expiry, compensation)


@dataclass(frozen=True)
class Reservation:
    """Stock held for one caller's order line, keyed by the caller's id.

    `expired` says a RELEASED reservation was released by the expiry sweep (a
    late commit may then take the stock again); a tombstone (a release that
    arrived before its reserve) has quantity 0.
    """

    id: str
    product_id: str
    quantity: int
    state: ReservationState
    expires_at: datetime
    expired: bool = False


@dataclass(frozen=True)
class Money:
    """Integer minor units (cents) and an ISO 4217 currency code."""

    amount: int
    currency: str

    def validate(self, field_name: str) -> None:
        if self.amount < 0:
            raise ValidationError(f"{field_name}.amount", "must not be negative")
        if not CURRENCY.match(self.currency):
            raise ValidationError(
                f"{field_name}.currency", "must be a 3-letter ISO 4217 code"
            )


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    description: str
    category: str
    price: Money
    stock: int
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass(frozen=True)
class ProductChanges:
    """An update: only the fields that are not None change."""

    name: str | None = None
    description: str | None = None
    category: str | None = None
    price: Money | None = None
    stock: int | None = None


@dataclass(frozen=True)
class ProductFilter:
    category: str = ""
    min_price: int | None = None
    max_price: int | None = None
    search: str = ""


def validate_fields(
    name: str | None,
    description: str | None,
    category: str | None,
    price: Money | None,
    stock: int | None,
) -> None:
    if name is not None and not name.strip():
        raise ValidationError("name", "must not be empty")
    if name is not None and len(name) > MAX_NAME:
        raise ValidationError("name", f"at most {MAX_NAME} characters")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise ValidationError("description", f"at most {MAX_DESCRIPTION} characters")
    if category is not None and not category.strip():
        raise ValidationError("category", "must not be empty")
    if category is not None and len(category) > MAX_CATEGORY:
        raise ValidationError("category", f"at most {MAX_CATEGORY} characters")
    if price is not None:
        price.validate("price")
    if stock is not None and stock < 0:
        raise ValidationError("stock", "must not be negative")


def validate_quantity(quantity: int) -> None:
    if quantity <= 0:
        raise ValidationError("quantity", "must be greater than zero")


def validate_reservation_id(reservation_id: str) -> None:
    if not reservation_id.strip():
        raise ValidationError("reservation_id", "is required")
    if len(reservation_id) > MAX_RESERVATION_ID:
        raise ValidationError(
            "reservation_id", f"at most {MAX_RESERVATION_ID} characters"
        )


def validate_filter(flt: ProductFilter) -> None:
    for name, value in (("min_price", flt.min_price), ("max_price", flt.max_price)):
        if value is not None and value < 0:
            raise ValidationError(name, "must not be negative")
    if (
        flt.min_price is not None
        and flt.max_price is not None
        and flt.min_price > flt.max_price
    ):
        raise ValidationError("min_price", "must not exceed max_price")
    if len(flt.search) > 100:
        raise ValidationError("search", "at most 100 characters")
