"""Stock reservations on the real mesh: idempotent by id, committed and
released by order, expired by product's sweep, and the oversell guard holding
across two product processes (the Dapr lock on Redis around FerretDB's
conditional update). Every test ends with the stock invariant:
available + reserved + sold = received."""

from __future__ import annotations

import concurrent.futures
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from common.caller import NOBODY, Actor
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc
from tests.integration.helpers import (
    ADMIN,
    eventually,
    sidecar_channel,
    sidecar_metadata,
)
from tests.integration.product_instance import ProductInstance, product_instance
from tests.integration.stock_invariant import assert_balanced, reservation_states

pytestmark = pytest.mark.integration


class Stock:
    """ProductService as order reaches it (only order may reserve)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.stub = product_pb2_grpc.ProductServiceStub(sidecar_channel(via="order"))  # type: ignore[no-untyped-call]
        self.md = sidecar_metadata(env, "product", via="order")
        gateway = sidecar_channel(via="gateway")
        self.catalog = product_pb2_grpc.ProductServiceStub(gateway)  # type: ignore[no-untyped-call]
        self.orders = order_pb2_grpc.OrderServiceStub(gateway)  # type: ignore[no-untyped-call]
        self.users = user_pb2_grpc.UserServiceStub(gateway)  # type: ignore[no-untyped-call]
        self.env = env

    def as_gateway(
        self, app: str, actor: Actor = NOBODY
    ) -> tuple[tuple[str, str], ...]:
        return sidecar_metadata(self.env, app, actor=actor)

    def new_product(self, stock: int) -> str:
        return str(
            self.catalog.CreateProduct(
                product_pb2.CreateProductRequest(
                    name=f"Reserved {uuid.uuid4().hex[:6]}",
                    category="tests",
                    price=money_pb2.Money(amount=700, currency="USD"),
                    stock=stock,
                ),
                metadata=self.as_gateway("product", ADMIN),
                timeout=10,
            ).id
        )

    def reserve(self, rid: str, product_id: str, quantity: int) -> int:
        return int(
            self.stub.ReserveStock(
                product_pb2.ReserveStockRequest(
                    reservation_id=rid, product_id=product_id, quantity=quantity
                ),
                metadata=self.md,
                timeout=10,
            ).stock
        )

    def release(self, rid: str, product_id: str) -> int:
        return int(
            self.stub.ReleaseStock(
                product_pb2.ReleaseStockRequest(
                    reservation_id=rid, product_id=product_id
                ),
                metadata=self.md,
                timeout=10,
            ).stock
        )

    def commit(self, rid: str, product_id: str) -> int:
        return int(
            self.stub.CommitStock(
                product_pb2.CommitStockRequest(
                    reservation_id=rid, product_id=product_id
                ),
                metadata=self.md,
                timeout=10,
            ).stock
        )


@pytest.fixture(scope="module")
def stock(shared_env: dict[str, str]) -> Stock:
    return Stock(shared_env)


@pytest.fixture(scope="module")
def second_product(mesh: Any, profile: str) -> Iterator[ProductInstance]:
    with product_instance(profile, mesh.log_dir) as instance:
        yield instance


def rid() -> str:
    return f"it-{uuid.uuid4().hex}"


def test_a_repeated_reserve_and_release_change_stock_once(
    stock: Stock, shared_env: dict[str, str]
) -> None:
    product = stock.new_product(5)
    one = rid()
    assert stock.reserve(one, product, 2) == 3
    assert stock.reserve(one, product, 2) == 3
    assert assert_balanced(shared_env, product).reserved == 2
    assert stock.release(one, product) == 5
    assert stock.release(one, product) == 5
    with pytest.raises(grpc.RpcError) as err:
        stock.reserve(one, product, 2)  # a late duplicate after the release
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    figures = assert_balanced(shared_env, product)
    assert (figures.available, figures.reserved, figures.sold) == (5, 0, 0)


def test_a_placed_order_commits_and_its_cancel_releases(
    stock: Stock, shared_env: dict[str, str]
) -> None:
    product = stock.new_product(6)
    tag = uuid.uuid4().hex[:8]
    user = stock.users.GetOrCreateUser(
        user_pb2.GetOrCreateUserRequest(
            subject=f"test|{tag}", email=f"{tag}@example.com", name="Res"
        ),
        metadata=stock.as_gateway("user", Actor(subject=f"test|{tag}")),
        timeout=10,
    ).user
    order = stock.orders.PlaceOrder(
        order_pb2.PlaceOrderRequest(
            user_id=user.id,
            items=[order_pb2.PlaceOrderItem(product_id=product, quantity=4)],
            idempotency_key=tag,
        ),
        metadata=stock.as_gateway("order", Actor(user_id=user.id)),
        timeout=20,
    )
    line = f"{order.id}-1"
    assert reservation_states(shared_env, [line]) == {line: "committed"}
    figures = assert_balanced(shared_env, product)
    assert (figures.available, figures.reserved, figures.sold) == (2, 0, 4)

    stock.orders.CancelOrder(
        order_pb2.CancelOrderRequest(id=order.id, owner_id=user.id),
        metadata=stock.as_gateway("order", Actor(user_id=user.id)),
        timeout=20,
    )
    assert reservation_states(shared_env, [line]) == {line: "released"}
    figures = assert_balanced(shared_env, product)
    assert (figures.available, figures.reserved, figures.sold) == (6, 0, 0)


def test_two_product_processes_never_oversell(
    stock: Stock, second_product: ProductInstance, shared_env: dict[str, str]
) -> None:
    """40 reserves of one unit (30 ids, 10 sent twice) at once, half through
    the mesh's product, half straight to a second product process."""
    product = stock.new_product(10)
    ids = [rid() for _ in range(30)]
    calls = [(ids[n % 30], n % 2) for n in range(40)]

    def attempt(call: tuple[str, int]) -> tuple[str, str]:
        reservation, via_second = call
        request = product_pb2.ReserveStockRequest(
            reservation_id=reservation, product_id=product, quantity=1
        )
        try:
            if via_second:
                second_product.stub.ReserveStock(
                    request, metadata=second_product.metadata, timeout=15
                )
            else:
                stock.stub.ReserveStock(request, metadata=stock.md, timeout=15)
        except grpc.RpcError as err:
            return reservation, err.code().name
        return reservation, "ok"

    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(attempt, calls))

    won = {reservation for reservation, outcome in outcomes if outcome == "ok"}
    refused = [o for _, o in outcomes if o != "ok"]
    assert len(won) == 10, outcomes
    assert set(refused) <= {"FAILED_PRECONDITION"}, outcomes
    figures = assert_balanced(shared_env, product)
    assert (figures.available, figures.reserved) == (0, 10)


def test_an_abandoned_reservation_expires_and_a_late_commit_retakes_it(
    stock: Stock, mesh: Any, profile: str, shared_env: dict[str, str]
) -> None:
    product = stock.new_product(3)
    abandoned, late = rid(), rid()
    with product_instance(
        profile,
        mesh.log_dir,
        RESERVATION_TTL_SECONDS="1",
        RESERVATION_SWEEP_INTERVAL="0.3",
    ) as short_lived:
        for reservation in (abandoned, late):
            short_lived.stub.ReserveStock(
                product_pb2.ReserveStockRequest(
                    reservation_id=reservation, product_id=product, quantity=1
                ),
                metadata=short_lived.metadata,
                timeout=10,
            )
        assert assert_balanced(shared_env, product).reserved == 2
        eventually(
            lambda: (
                reservation_states(shared_env, [abandoned, late])
                == {abandoned: "released", late: "released"}
            ),
            timeout=20,
            what="the expiry sweep",
        )
    figures = assert_balanced(shared_env, product)
    assert (figures.available, figures.reserved) == (3, 0)
    assert stock.commit(late, product) == 2  # the order came back in time after all
    figures = assert_balanced(shared_env, product)
    assert (figures.available, figures.reserved, figures.sold) == (2, 0, 1)
