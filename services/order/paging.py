"""Pages of a user's orders: newest first, continued by an opaque cursor that
names the last order of the previous page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from services.order.domain import Order, ValidationError

MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class Cursor:
    """Position after the last order of a page (newest first)."""

    created_at: datetime
    order_id: str


@dataclass(frozen=True)
class Page:
    orders: list[Order]
    next_token: str


def encode_cursor(order: Order) -> str:
    raw = json.dumps([order.created_at.isoformat(), order.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor:
    try:
        padded = token + "=" * (-len(token) % 4)
        created, order_id = json.loads(base64.urlsafe_b64decode(padded))
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None or not isinstance(order_id, str):
            raise ValueError("not a cursor")
        return Cursor(created_at, order_id)
    except (ValueError, TypeError, binascii.Error) as err:
        raise ValidationError(
            "pageToken", "is not a token this service issued"
        ) from err
