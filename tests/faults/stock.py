"""Product's stock as MongoDB holds it: the balance once nothing is reserved,
and how the product's reservations ended."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pymongo import MongoClient

from services.product.adapters.stock_balance import StockBalance
from tests.integration import backends
from tests.integration.helpers import eventually
from tests.integration.stock_invariant import balance


def settled(
    shared_env: dict[str, str], product_id: str, timeout: float = 90
) -> StockBalance:
    """The product's figures once nothing is reserved any more."""

    def unreserved() -> StockBalance | None:
        figures = balance(shared_env, product_id)
        return figures if figures.reserved == 0 else None

    return eventually(
        unreserved,
        timeout,
        interval=1,
        what=f"every reservation of {product_id} committed or released",
    )


def reservation_states(shared_env: dict[str, str], product_id: str) -> Counter[str]:
    """How many of the product's reservations are in each state; `expired`:
    released by product's expiry sweep."""
    client: MongoClient[dict[str, Any]] = MongoClient(
        backends.mongodb_url(shared_env), serverSelectionTimeoutMS=3000
    )
    try:
        docs = client["shop"]["reservations"].find({"product_id": product_id})
        return Counter(
            "expired" if doc.get("expired") else str(doc["state"]) for doc in docs
        )
    finally:
        client.close()


def states(counts: Counter[str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"
