"""Carts: one per user, a line per product, and the rules a change must keep.

- A line holds 1..`max_line_quantity` units, and never more than the product
  has in stock when the line is written (stock is checked again at checkout:
  the cart reserves nothing).
- A cart holds at most `MAX_LINES` lines; lines keep the order they were first
  added in.
- Errors name the request's fields in proto JSON names (`quantity`,
  `productId`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from common import domain
from common.domain import DomainError
from common.domain import OutOfStock as OutOfStock
from common.domain import Unavailable as Unavailable
from common.domain import ValidationError as ValidationError
from common.domain import now as now

MAX_LINES = 50
MAX_ID = 64


class ProductNotFound(domain.NotFound):
    def __init__(self, product_id: str) -> None:
        super().__init__("product", product_id)
        self.product_id = product_id


class ConcurrentUpdate(DomainError):
    """Someone else changed the cart since it was read (its ETag moved)."""

    reason = "FAILED_PRECONDITION"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"the cart of {user_id} changed concurrently; retry")


@dataclass(frozen=True)
class CartLine:
    product_id: str
    quantity: int
    added_at: datetime


@dataclass(frozen=True)
class Cart:
    user_id: str
    lines: tuple[CartLine, ...] = ()
    updated_at: datetime | None = None

    def quantity_of(self, product_id: str) -> int:
        return next((x.quantity for x in self.lines if x.product_id == product_id), 0)

    def with_quantity(self, product_id: str, quantity: int, at: datetime) -> Cart:
        """The cart with this product's line at `quantity` (0 removes it)."""
        if quantity <= 0:
            lines = tuple(x for x in self.lines if x.product_id != product_id)
        elif self.quantity_of(product_id):
            lines = tuple(
                replace(x, quantity=quantity) if x.product_id == product_id else x
                for x in self.lines
            )
        else:
            lines = (*self.lines, CartLine(product_id, quantity, at))
        return replace(self, lines=lines, updated_at=at)


def validate_ids(user_id: str, product_id: str | None = None) -> None:
    if not user_id or len(user_id) > MAX_ID:
        raise ValidationError("userId", f"is required, at most {MAX_ID} characters")
    if product_id is not None and (not product_id or len(product_id) > MAX_ID):
        raise ValidationError("productId", f"is required, at most {MAX_ID} characters")


def validate_quantity(quantity: int, max_line_quantity: int) -> None:
    if quantity <= 0:
        raise ValidationError("quantity", "must be greater than zero")
    if quantity > max_line_quantity:
        raise ValidationError(
            "quantity", f"at most {max_line_quantity} of one product in a cart"
        )


def validate_line_count(cart: Cart, product_id: str) -> None:
    if not cart.quantity_of(product_id) and len(cart.lines) >= MAX_LINES:
        raise ValidationError("productId", f"a cart holds at most {MAX_LINES} lines")
