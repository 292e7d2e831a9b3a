"""The stock invariant, read from MongoDB: per product,
available + reserved + sold = stock received.

`available` is the product's `stock`, `received` every unit ever put on sale
(set at creation, moved by each stock update), `reserved` and `sold` the
quantities of its RESERVED and COMMITTED reservations. Tests and operators
use it; nothing in the request path does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.database import Database

from services.product.adapters.reservations import COLLECTION
from services.product.domain import ReservationState


@dataclass(frozen=True)
class StockBalance:
    product_id: str
    received: int
    available: int
    reserved: int
    sold: int

    @property
    def holds(self) -> bool:
        return self.available + self.reserved + self.sold == self.received


def stock_balance(db: Database[dict[str, Any]], product_id: str) -> StockBalance:
    product = db["products"].find_one({"_id": product_id})
    if product is None:
        raise LookupError(f"no product {product_id}")
    units = dict.fromkeys(ReservationState, 0)
    for doc in db[COLLECTION].find({"product_id": product_id}):
        units[ReservationState(doc["state"])] += int(doc["quantity"])
    return StockBalance(
        product_id,
        received=int(product.get("received", product["stock"])),
        available=int(product["stock"]),
        reserved=units[ReservationState.RESERVED],
        sold=units[ReservationState.COMMITTED],
    )
