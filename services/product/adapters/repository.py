"""Products in MongoDB (pymongo): the `ProductRepository` port.

The catalog needs filters, search, pagination and an atomic conditional stock
update, which Dapr's key/value state API cannot express; so products live in
MongoDB (FerretDB locally) reached with pymongo.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, MongoClient, ReturnDocument
from pymongo.collection import Collection

from services.product.domain import (
    Money,
    Product,
    ProductChanges,
    ProductFilter,
    ValidationError,
    now,
)
from services.product.service import Page


def _to_doc(product: Product) -> dict[str, Any]:
    return {
        "_id": product.id,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": {"amount": product.price.amount, "currency": product.price.currency},
        "stock": product.stock,
        # Every unit ever put on sale (see stock_balance.py).
        "received": product.stock,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def _from_doc(doc: dict[str, Any]) -> Product:
    return Product(
        id=doc["_id"],
        name=doc["name"],
        description=doc.get("description", ""),
        category=doc["category"],
        price=Money(int(doc["price"]["amount"]), doc["price"]["currency"]),
        stock=int(doc["stock"]),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
    )


def encode_cursor(product: Product) -> str:
    raw = json.dumps([product.created_at.isoformat(), product.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, product_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created), str(product_id)
    except (ValueError, TypeError) as err:
        raise ValidationError(
            "page_token", "is not a cursor this service issued"
        ) from err


def _beyond(position: tuple[datetime, str], backward: bool) -> dict[str, Any]:
    """Products after the position a cursor marks (just after the product it
    names, newest first); `backward`, those before it, that product included."""
    created, product_id = position
    time_op, id_op = ("$gt", "$gte") if backward else ("$lt", "$lt")
    return {
        "$or": [
            {"created_at": {time_op: created}},
            {"created_at": created, "_id": {id_op: product_id}},
        ]
    }


class MongoProductRepository:
    """Products in one collection; stock changes are conditional updates.

    `take` is one conditional update (`stock >= n` -> `stock -= n`), atomic on
    a real MongoDB. FerretDB 1.x does not apply it atomically under
    concurrency (measured: 27 of 50 concurrent reservations of stock 10 "won"),
    so the use cases call it inside the per-product stock lock.
    """

    def __init__(self, client: MongoClient[dict[str, Any]], database: str) -> None:
        self._products: Collection[dict[str, Any]] = client[database]["products"]

    def ensure_indexes(self) -> None:
        self._products.create_index([("created_at", DESCENDING), ("_id", DESCENDING)])
        self._products.create_index([("category", ASCENDING)])

    def ping(self) -> bool:
        self._products.database.command("ping")
        return True

    def insert(self, product: Product) -> None:
        self._products.insert_one(_to_doc(product))

    def get(self, product_id: str) -> Product | None:
        doc = self._products.find_one({"_id": product_id})
        return _from_doc(doc) if doc else None

    def get_many(self, ids: list[str]) -> list[Product]:
        docs = {d["_id"]: d for d in self._products.find({"_id": {"$in": ids}})}
        return [_from_doc(docs[i]) for i in ids if i in docs]

    def update(self, product_id: str, changes: ProductChanges) -> Product | None:
        fields: dict[str, Any] = {"updated_at": now()}
        for name in ("name", "description", "category"):
            value = getattr(changes, name)
            if value is not None:
                fields[name] = value
        if changes.price is not None:
            fields["price"] = {
                "amount": changes.price.amount,
                "currency": changes.price.currency,
            }
        if changes.stock is not None:
            return self._set_stock(product_id, changes.stock, fields)
        doc = self._products.find_one_and_update(
            {"_id": product_id}, {"$set": fields}, return_document=ReturnDocument.AFTER
        )
        return _from_doc(doc) if doc else None

    def _set_stock(
        self, product_id: str, stock: int, fields: dict[str, Any]
    ) -> Product | None:
        """Sets the units available; the difference counts as received (a
        restock, or a write-off when negative). Compare-and-set on the old
        value, so a concurrent reservation is never overwritten."""
        while True:
            current = self._products.find_one({"_id": product_id}, {"stock": 1})
            if current is None:
                return None
            old = int(current["stock"])
            doc = self._products.find_one_and_update(
                {"_id": product_id, "stock": old},
                {"$set": {**fields, "stock": stock}, "$inc": {"received": stock - old}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is not None:
                return _from_doc(doc)

    def list(
        self, flt: ProductFilter, limit: int, cursor: str, backward: bool = False
    ) -> Page:
        query: dict[str, Any] = {}
        if flt.category:
            query["category"] = flt.category
        price: dict[str, int] = {}
        if flt.min_price is not None:
            price["$gte"] = flt.min_price
        if flt.max_price is not None:
            price["$lte"] = flt.max_price
        if price:
            query["price.amount"] = price
        clauses: list[dict[str, Any]] = []
        if flt.search:
            pattern = re.escape(flt.search.strip())
            clauses.append(
                {
                    "$or": [
                        {"name": {"$regex": pattern, "$options": "i"}},
                        {"description": {"$regex": pattern, "$options": "i"}},
                    ]
                }
            )
        if cursor:
            clauses.append(_beyond(decode_cursor(cursor), backward))
        if clauses:
            query["$and"] = clauses
        # Backward reads oldest first from the position, so the `limit`
        # nearest it come first; one more says whether any are left.
        order = ASCENDING if backward else DESCENDING
        docs = list(
            self._products.find(query)
            .sort([("created_at", order), ("_id", order)])
            .limit(limit + 1)
        )
        products = [_from_doc(d) for d in docs[:limit]]
        if not backward:
            has_more = len(docs) > limit
            return Page(products, encode_cursor(products[-1]) if has_more else "")
        products.reverse()
        # The position just before the page is just after the product before it.
        before = _from_doc(docs[limit]) if len(docs) > limit else None
        return Page(products, encode_cursor(before) if before else "")

    def take(self, product_id: str, quantity: int) -> Product | None:
        doc = self._products.find_one_and_update(
            {"_id": product_id, "stock": {"$gte": quantity}},
            {"$inc": {"stock": -quantity}, "$set": {"updated_at": now()}},
            return_document=ReturnDocument.AFTER,
        )
        return _from_doc(doc) if doc else None

    def give_back(self, product_id: str, quantity: int) -> Product | None:
        doc = self._products.find_one_and_update(
            {"_id": product_id},
            {"$inc": {"stock": quantity}, "$set": {"updated_at": now()}},
            return_document=ReturnDocument.AFTER,
        )
        return _from_doc(doc) if doc else None
