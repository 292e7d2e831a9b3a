"""Carts in a Dapr state store (the `CartStore` port): one JSON value per user.

Writes carry the ETag the cart was read with, under first-write concurrency:
the sidecar refuses a write when the stored cart moved on (ABORTED), and a
first write (no ETag) when a cart appeared meanwhile. Every write sets the
TTL again (`ttlInSeconds`), so a cart nobody touches expires on its own.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import grpc
from dapr.clients import DaprClient
from dapr.clients.grpc._state import Concurrency, StateOptions

from services.cart.domain import Cart, CartLine, ConcurrentUpdate

KEY_PREFIX = "cart:"
_FIRST_WRITE = StateOptions(concurrency=Concurrency.first_write)


def encode(cart: Cart) -> str:
    return json.dumps(
        {
            "lines": [
                {
                    "productId": line.product_id,
                    "quantity": line.quantity,
                    "addedAt": line.added_at.isoformat(),
                }
                for line in cart.lines
            ],
            "updatedAt": cart.updated_at.isoformat() if cart.updated_at else None,
        },
        separators=(",", ":"),
    )


def decode(user_id: str, raw: bytes | str) -> Cart:
    doc: dict[str, Any] = json.loads(raw)
    updated = doc.get("updatedAt")
    return Cart(
        user_id=user_id,
        lines=tuple(
            CartLine(
                str(line["productId"]),
                int(line["quantity"]),
                datetime.fromisoformat(line["addedAt"]),
            )
            for line in doc.get("lines", [])
        ),
        updated_at=datetime.fromisoformat(updated) if updated else None,
    )


class DaprCartStore:
    def __init__(self, client: DaprClient, store: str) -> None:
        self._client = client
        self._store = store

    def _key(self, user_id: str) -> str:
        return KEY_PREFIX + user_id

    def load(self, user_id: str) -> tuple[Cart, str | None]:
        item = self._client.get_state(self._store, self._key(user_id))
        if not item.data:
            return Cart(user_id), None
        return decode(user_id, item.data), item.etag or None

    def save(self, cart: Cart, etag: str | None, ttl_seconds: int) -> None:
        try:
            self._client.save_state(
                self._store,
                self._key(cart.user_id),
                encode(cart),
                etag=etag,
                options=_FIRST_WRITE,
                state_metadata={"ttlInSeconds": str(ttl_seconds)},
            )
        except grpc.RpcError as err:
            raise self._conflict_or(err, cart.user_id, etag) from err

    def delete(self, user_id: str, etag: str | None = None) -> None:
        try:
            self._client.delete_state(
                self._store, self._key(user_id), etag=etag, options=_FIRST_WRITE
            )
        except grpc.RpcError as err:
            raise self._conflict_or(err, user_id, etag) from err

    def _conflict_or(
        self, err: grpc.RpcError, user_id: str, etag: str | None
    ) -> Exception:
        """ConcurrentUpdate when the cart moved on since `etag`, else `err`.

        Judged by the code (ABORTED is Dapr's ETag mismatch) or, for a first
        write the store refused, by reading the cart again: never by message.
        """
        code = err.code() if hasattr(err, "code") else None
        if code == grpc.StatusCode.ABORTED:
            return ConcurrentUpdate(user_id)
        if etag is None and self.load(user_id)[1] is not None:
            return ConcurrentUpdate(user_id)
        failure: Exception = err
        return failure
