"""The Dapr cart store: what it writes (ETag, first-write, TTL) and how a
refused write is told apart from a failure, with the Dapr client faked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from dapr.clients.grpc._state import Concurrency

from services.cart.adapters.store import DaprCartStore, decode, encode
from services.cart.domain import Cart, ConcurrentUpdate, now


class RpcFailure(grpc.RpcError):  # type: ignore[misc]
    def __init__(self, code: grpc.StatusCode) -> None:
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code


@dataclass
class Item:
    data: bytes
    etag: str


class FakeDapr:
    def __init__(self) -> None:
        self.data: dict[str, Item] = {}
        self.saves: list[dict[str, Any]] = []
        self.fail: Exception | None = None
        self.appear_on_fail: Item | None = None

    def get_state(self, store: str, key: str) -> Item:
        return self.data.get(key, Item(b"", ""))

    def save_state(self, store: str, key: str, value: str, **kw: Any) -> None:
        self.saves.append({"key": key, **kw})
        if self.fail is not None:
            if self.appear_on_fail is not None:
                self.data[key] = self.appear_on_fail
            raise self.fail
        self.data[key] = Item(value.encode(), str(len(self.saves)))

    def delete_state(self, store: str, key: str, **kw: Any) -> None:
        self.data.pop(key, None)


@pytest.fixture
def dapr() -> FakeDapr:
    return FakeDapr()


@pytest.fixture
def store(dapr: FakeDapr) -> DaprCartStore:
    return DaprCartStore(dapr, "carts")  # type: ignore[arg-type]


def a_cart() -> Cart:
    return Cart("alice").with_quantity("mug", 2, now())


def test_a_cart_survives_its_encoding() -> None:
    cart = a_cart().with_quantity("tea", 1, now())
    assert decode("alice", encode(cart)) == cart


def test_writes_carry_the_etag_first_write_and_the_ttl(
    store: DaprCartStore, dapr: FakeDapr
) -> None:
    store.save(a_cart(), None, 600)
    cart, etag = store.load("alice")
    assert [(x.product_id, x.quantity) for x in cart.lines] == [("mug", 2)]
    store.save(cart, etag, 600)
    first, second = dapr.saves
    assert first["key"] == "cart:alice" and first["etag"] is None
    assert second["etag"] == etag
    assert second["options"].concurrency == Concurrency.first_write
    assert second["state_metadata"] == {"ttlInSeconds": "600"}


def test_an_aborted_write_is_a_concurrent_update(
    store: DaprCartStore, dapr: FakeDapr
) -> None:
    dapr.fail = RpcFailure(grpc.StatusCode.ABORTED)
    with pytest.raises(ConcurrentUpdate):
        store.save(a_cart(), "3", 600)


def test_a_refused_first_write_is_a_conflict_only_if_a_cart_appeared(
    store: DaprCartStore, dapr: FakeDapr
) -> None:
    dapr.fail = RpcFailure(grpc.StatusCode.INTERNAL)
    with pytest.raises(grpc.RpcError):
        store.save(a_cart(), None, 600)
    dapr.appear_on_fail = Item(encode(a_cart()).encode(), "9")
    with pytest.raises(ConcurrentUpdate):
        store.save(a_cart(), None, 600)
