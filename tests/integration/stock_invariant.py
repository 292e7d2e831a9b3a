"""The stock invariant on the test mesh's MongoDB (FerretDB), read directly."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

from services.product.adapters.stock_balance import StockBalance, stock_balance
from tests.integration import backends


def balance(shared_env: dict[str, str], product_id: str) -> StockBalance:
    client: MongoClient[dict[str, Any]] = MongoClient(
        backends.mongodb_url(shared_env), serverSelectionTimeoutMS=3000, tz_aware=True
    )
    try:
        return stock_balance(client["shop"], product_id)
    finally:
        client.close()


def assert_balanced(shared_env: dict[str, str], product_id: str) -> StockBalance:
    """available + reserved + sold = received, or the figures in the failure."""
    figures = balance(shared_env, product_id)
    assert figures.holds, f"stock invariant broken: {figures}"
    return figures


def reservation_states(shared_env: dict[str, str], ids: list[str]) -> dict[str, str]:
    client: MongoClient[dict[str, Any]] = MongoClient(
        backends.mongodb_url(shared_env), serverSelectionTimeoutMS=3000
    )
    try:
        docs = client["shop"]["reservations"].find({"_id": {"$in": ids}})
        return {doc["_id"]: doc["state"] for doc in docs}
    finally:
        client.close()
