"""F13: a service that hangs (SIGSTOP) is refused fast, not waited for.

Once product's sidecar has marked its app unhealthy (Dapr's app health check:
3 failed probes, 2 s apart), calls proxied to it are answered UNAVAILABLE at
once by that sidecar (our daprd build's second patch,
devmesh/bootstrap/daprd_patch_health.py); upstream daprd 1.18 forwards them
to the frozen app and the caller waits out its 5 s resiliency timeout
(DEADLINE_EXCEEDED). Orders placed meanwhile are refused whole: nothing is
stored, the stock balances, and once the app runs again calls succeed.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from protos.product.v1 import product_pb2
from tests.faults.gateway_calls import login, place_order
from tests.faults.orders_db import orders_of
from tests.faults.outcomes import outcome, summary
from tests.faults.shop import Shop
from tests.faults.test_crashes import APP, unhealthy_marks
from tests.integration.stock_invariant import assert_balanced

pytestmark = pytest.mark.faults

FAST = 1.0  # seconds: a refusal, not a wait for the 5 s invocation timeout
CALLS = 5


def _timed(call: Callable[[], object], tally: Counter[str]) -> float:
    started = time.monotonic()
    try:
        call()
        tally["ok"] += 1
    except grpc.RpcError as err:
        tally[outcome(err)] += 1
    return time.monotonic() - started


def test_f13_calls_to_a_frozen_service_are_refused_at_once(
    mesh: Any, shared_env: dict[str, str]
) -> None:
    shop = Shop()
    user = shop.new_user()
    product = shop.new_product(stock=50).id
    token = login(shared_env, "f13")
    assert place_order(token, product) == "Order"  # the gateway knows the buyer

    def get() -> object:
        return shop.products.GetProduct(
            product_pb2.GetProductRequest(id=product),
            metadata=shop.md("product"),
            timeout=10,
        )

    marks = unhealthy_marks(mesh, "product")
    app = mesh.pids("product")[APP]
    os.kill(app, signal.SIGSTOP)
    frozen = time.monotonic()
    reads: Counter[str] = Counter()
    orders: Counter[str] = Counter()
    graphql: Counter[str] = Counter()
    try:
        while unhealthy_marks(mesh, "product") == marks:
            assert time.monotonic() - frozen < 20, "the sidecar never saw it hung"
            time.sleep(0.2)
        seen_after = time.monotonic() - frozen
        read_times = [_timed(get, reads) for _ in range(CALLS)]
        order_times = [
            _timed(lambda: shop.place(user.id, product), orders) for _ in range(CALLS)
        ]
        graphql.update(place_order(token, product) for _ in range(2))
    finally:
        os.kill(app, signal.SIGCONT)
    thawed = time.monotonic()
    while not _answers(get):
        assert time.monotonic() - thawed < 30, "product never served again"
        time.sleep(0.2)
    serving = time.monotonic() - thawed
    assert shop.place(user.id, product)
    stored = orders_of(shared_env, user.id)
    balance = assert_balanced(shared_env, product)
    line = (
        f"F13 SIGSTOP product app: unhealthy after {seen_after:.1f}s"
        f" | GetProduct -> {summary(reads)} slowest={max(read_times):.2f}s"
        f" | PlaceOrder -> {summary(orders)} slowest={max(order_times):.2f}s"
        f" | graphql -> {summary(graphql)}"
        f" | serving again {serving:.1f}s after SIGCONT"
        f" | orders stored={len(stored)} (1 after the thaw) holds={balance.holds}"
    )
    print(f"\n{line}")
    assert set(reads) == {"UNAVAILABLE"}, line
    assert max(read_times) < FAST, line
    assert all(k.startswith("UNAVAILABLE") for k in orders), line
    assert max(order_times) < 2 * FAST, line
    assert set(graphql) == {"Unavailable"}, line
    assert len(stored) == 1, line  # the order placed after the thaw only
    assert balance.holds, line


def _answers(get: Callable[[], object]) -> bool:
    try:
        get()
    except grpc.RpcError:
        return False
    return True
