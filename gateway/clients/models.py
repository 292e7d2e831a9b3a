"""What the services answer, as the plain frozen values the gateway uses.

No generated proto type leaves `gateway.clients`: `convert.py` turns them
into these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Money:
    """Integer minor units (cents) and an ISO 4217 code."""

    amount: int
    currency: str


@dataclass(frozen=True)
class User:
    id: str
    subject: str
    email: str
    name: str
    phone: str
    email_notifications: bool = True
    sms_notifications: bool = False


@dataclass(frozen=True)
class UserChanges:
    """Only the fields that are not None change."""

    name: str | None = None
    phone: str | None = None
    email_notifications: bool | None = None
    sms_notifications: bool | None = None


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    description: str
    category: str
    price: Money
    stock: int


@dataclass(frozen=True)
class ProductDraft:
    name: str
    description: str
    category: str
    price: Money
    stock: int


@dataclass(frozen=True)
class ProductChanges:
    """Only the fields that are not None change."""

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


class OrderStatus(enum.Enum):
    """Values are the proto enum numbers."""

    PENDING = 1
    CONFIRMED = 2
    SHIPPED = 3
    DELIVERED = 4
    CANCELLED = 5


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    product_name: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True)
class Order:
    id: str
    user_id: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    total: Money
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class LineRequest:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str = ""


@dataclass(frozen=True)
class CartLine:
    product_id: str
    quantity: int
    added_at: datetime


@dataclass(frozen=True)
class Cart:
    user_id: str
    lines: tuple[CartLine, ...]
    # None for a cart never written (or expired).
    updated_at: datetime | None
    max_line_quantity: int
