"""Reservations in MongoDB (the `ReservationRepository` port).

One document per reservation in the `reservations` collection, keyed by the
caller's reservation id: product, quantity, state (reserved, committed,
released), its expiry and whether the expiry sweep released it. Released and
committed ones stay (they make retries idempotent and feed the stock balance).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, MongoClient
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.product.domain import (
    DuplicateReservation,
    Reservation,
    ReservationState,
    now,
)

COLLECTION = "reservations"


def _from_doc(doc: dict[str, Any]) -> Reservation:
    return Reservation(
        id=doc["_id"],
        product_id=doc["product_id"],
        quantity=int(doc["quantity"]),
        state=ReservationState(doc["state"]),
        expires_at=doc["expires_at"],
        expired=bool(doc.get("expired", False)),
    )


class MongoReservations:
    def __init__(self, client: MongoClient[dict[str, Any]], database: str) -> None:
        self._docs: Collection[dict[str, Any]] = client[database][COLLECTION]

    def ensure_indexes(self) -> None:
        self._docs.create_index([("state", ASCENDING), ("expires_at", ASCENDING)])
        self._docs.create_index([("product_id", ASCENDING)])

    def get(self, reservation_id: str) -> Reservation | None:
        doc = self._docs.find_one({"_id": reservation_id})
        return _from_doc(doc) if doc else None

    def add(self, reservation: Reservation) -> None:
        at = now()
        try:
            self._insert(reservation, at)
        except DuplicateKeyError as err:
            raise DuplicateReservation(reservation.id) from err

    def _insert(self, reservation: Reservation, at: datetime) -> None:
        self._docs.insert_one(
            {
                "_id": reservation.id,
                "product_id": reservation.product_id,
                "quantity": reservation.quantity,
                "state": reservation.state.value,
                "expires_at": reservation.expires_at,
                "expired": reservation.expired,
                "created_at": at,
                "updated_at": at,
            }
        )

    def move(
        self,
        reservation_id: str,
        source: ReservationState,
        target: ReservationState,
        expired: bool = False,
    ) -> bool:
        result = self._docs.update_one(
            {"_id": reservation_id, "state": source.value},
            {"$set": {"state": target.value, "expired": expired, "updated_at": now()}},
        )
        return result.modified_count == 1

    def expired(self, at: datetime, limit: int) -> list[Reservation]:
        docs = self._docs.find(
            {"state": ReservationState.RESERVED.value, "expires_at": {"$lte": at}}
        ).limit(limit)
        return [_from_doc(d) for d in docs]
