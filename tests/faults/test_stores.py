"""F5, F6: a database goes away under load and comes back.

F5 stops MariaDB (order's store) for 20 s while orders are placed: each one
is refused as UNAVAILABLE (gRPC code and error reason; `Unavailable` in
GraphQL), none is half-written (every stored order has its lines, its
order-created event and its stock commits), and once MariaDB is back the stock
balances: reservations of refused orders are given back (at once, or by
order's release worker, or by product's expiry sweep).

F6 restarts FerretDB (product's store, down 10 s) while products are created
and updated and orders reserve stock: the same, for product's writes.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import grpc
import pytest

from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2
from tests.faults.gateway_calls import create_product, login, place_order
from tests.faults.load import Load
from tests.faults.orders_db import orders_of
from tests.faults.outcomes import summary
from tests.faults.shop import Shop
from tests.faults.stock import reservation_states, settled, states
from tests.integration.helpers import ADMIN

pytestmark = pytest.mark.faults

F5_OUTAGE = 20.0
F6_OUTAGE = 10.0


def refused(tally: Counter[str]) -> Counter[str]:
    return Counter({k: v for k, v in tally.items() if k != "ok"})


def readable(shop: Shop, product_id: str) -> bool:
    try:
        shop.products.GetProduct(
            product_pb2.GetProductRequest(id=product_id),
            metadata=shop.md("product"),
            timeout=10,
        )
    except grpc.RpcError:
        return False
    return True


def outage(mesh: Any, name: str, seconds: float, during: Any) -> tuple[float, float]:
    """Stops `name`, calls `during()` while it is down, starts it again after
    `seconds`; (when it stopped, when it answered again)."""
    mesh.stop_one(name)
    stopped = time.monotonic()
    during()
    time.sleep(max(0.0, seconds - (time.monotonic() - stopped)))
    mesh.start_one(name)
    return stopped, time.monotonic()


def test_f5_mariadb_stopped_orders_are_refused_whole_and_stock_balances(
    mesh: Any, shared_env: dict[str, str]
) -> None:
    shop = Shop()
    user = shop.new_user()
    product = shop.new_product(stock=500).id
    token = login(shared_env, "f5")
    other = shop.new_product(stock=10).id  # GraphQL's orders, counted apart
    assert place_order(token, other) == "Order"  # the gateway knows the buyer
    load = Load(lambda i: shop.place(user.id, product), rate=4).start()
    time.sleep(3)
    graphql: Counter[str] = Counter()
    stopped, back = outage(
        mesh,
        "mariadb",
        F5_OUTAGE,
        lambda: graphql.update(place_order(token, other) for _ in range(3)),
    )
    recovered = load.first_ok_after(back, timeout=60)
    time.sleep(2)
    load.stop()
    during = load.between(stopped + 0.5, back)
    stored = orders_of(shared_env, user.id)
    half = [
        o for o in stored if o.lines != 1 or o.created_events != 1 or o.commits != 1
    ]
    answered = set(load.ok_results())
    unanswered = {o.id for o in stored} - answered
    figures = settled(shared_env, product)
    line = (
        f"F5 MariaDB stopped {F5_OUTAGE:.0f}s: during -> {summary(during)}"
        f" graphql -> {summary(graphql)} | recovered_in={recovered:.1f}s"
        f" | orders placed={len(answered)} stored={len(stored)}"
        f" half_written={len(half)} committed_unanswered={len(unanswered)}"
        f" | stock received={figures.received} available={figures.available}"
        f" reserved={figures.reserved} sold={figures.sold} holds={figures.holds}"
        f" | reservations {states(reservation_states(shared_env, product))}"
    )
    print("\n" + line, flush=True)
    assert during and set(refused(load.between(stopped + 0.5, back))) == {
        "UNAVAILABLE"
    }, line
    assert set(graphql) == {"Unavailable"}, line
    assert not half and answered <= {o.id for o in stored}, line
    assert figures.holds and figures.sold == len(stored), line


def test_f6_ferretdb_restarted_product_writes_are_refused_then_resume(
    mesh: Any, shared_env: dict[str, str]
) -> None:
    shop = Shop()
    user = shop.new_user()
    product = shop.new_product(stock=500).id
    admin = login(shared_env, "f6", admin=True)
    assert create_product(admin) == "Product"

    def write(i: int) -> tuple[str, str]:
        """Orders (reservations), creations and updates, in turn."""
        if i % 3 == 0:
            return "order", shop.place(user.id, product)
        if i % 3 == 1:
            return "created", str(shop.new_product(stock=3).id)
        return "updated", str(
            shop.products.UpdateProduct(
                product_pb2.UpdateProductRequest(
                    id=product,
                    price=money_pb2.Money(amount=700 + i, currency="USD"),
                ),
                metadata=shop.md("product", ADMIN),
                timeout=10,
            ).id
        )

    load = Load(write, rate=6).start()
    time.sleep(3)
    graphql: Counter[str] = Counter()
    stopped, back = outage(
        mesh,
        "ferretdb",
        F6_OUTAGE,
        lambda: graphql.update(create_product(admin) for _ in range(2)),
    )
    recovered = load.first_ok_after(back, timeout=60)
    time.sleep(3)
    load.stop()
    during = load.between(stopped + 0.5, back)
    after = load.between(back + recovered)
    stored = orders_of(shared_env, user.id)
    created = [pid for kind, pid in load.ok_results() if kind == "created"]
    lost = [pid for pid in created if not readable(shop, pid)]
    figures = settled(shared_env, product)
    line = (
        f"F6 FerretDB restarted ({F6_OUTAGE:.0f}s down): during -> {summary(during)}"
        f" graphql -> {summary(graphql)} | recovered_in={recovered:.1f}s"
        f" then {summary(after)} | orders stored={len(stored)}"
        f" products created={len(created)} lost={len(lost)}"
        f" | stock received={figures.received} available={figures.available}"
        f" reserved={figures.reserved} sold={figures.sold} holds={figures.holds}"
        f" | reservations {states(reservation_states(shared_env, product))}"
    )
    print("\n" + line, flush=True)
    assert during and set(refused(during)) == {"UNAVAILABLE"}, line
    assert set(graphql) == {"Unavailable"}, line
    assert figures.holds and figures.sold == len(stored), line
    assert created and not lost, line
