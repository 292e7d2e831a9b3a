"""F9: two instances of product and two of order, each beside its own sidecar
under the same app id (the sqlite name resolver knows both, so every caller's
sidecar spreads its calls); many concurrent orders for 7 units.

Exactly 7 orders succeed and the stock is never negative (the per-product Dapr
lock holds across product instances); a second product with plenty of stock
gives both order instances' outbox relays events to race for, and each event
reaches the broker once (SKIP LOCKED claims).
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
import uuid
from collections import Counter
from typing import Any

import grpc
import pytest

from common import topics
from common.caller import Actor
from devmesh import ports
from protos.order.v1 import order_pb2
from protos.product.v1 import product_pb2
from tests.faults.broker import orders_published
from tests.faults.orders_db import outbox_rows
from tests.faults.outcomes import outcome, summary
from tests.faults.replicas import replica, served
from tests.faults.shop import Shop
from tests.faults.stock import settled
from tests.integration.helpers import eventually
from tests.integration.stock_invariant import assert_balanced

pytestmark = pytest.mark.faults

UNITS = 7
CONTESTED = int(os.environ.get("FAULTS_F9_ORDERS", "600"))
AMPLE = 40  # orders of a well-stocked product: events for the two relays
WORKERS = 16
TIME_LIMIT = 90.0  # seconds for all attempts; the rest are not tried


class LowestStock:
    """Polls a product's stock until stopped; remembers the lowest seen."""

    def __init__(self, shop: Shop, product_id: str) -> None:
        self.lowest: int | None = None
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(shop, product_id), daemon=True
        )

    def _run(self, shop: Shop, product_id: str) -> None:
        while not self._stop.wait(0.05):
            try:
                stock = shop.products.GetProduct(
                    product_pb2.GetProductRequest(id=product_id),
                    metadata=shop.md("product"),
                    timeout=5,
                ).stock
            except grpc.RpcError:
                continue
            self.reads += 1
            self.lowest = stock if self.lowest is None else min(self.lowest, stock)

    def __enter__(self) -> LowestStock:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def place(shop: Shop, user_id: str, product_id: str) -> str:
    return str(
        shop.orders.PlaceOrder(
            order_pb2.PlaceOrderRequest(
                user_id=user_id,
                items=[order_pb2.PlaceOrderItem(product_id=product_id, quantity=1)],
                idempotency_key=uuid.uuid4().hex,
            ),
            metadata=shop.md("order", Actor(user_id=user_id)),
            timeout=30,
        ).id
    )


def per_instance(replicas: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Calls each instance's sidecar let through so far: (mesh's, replica's)."""
    mesh_ports = ports.load().apps
    callers = {"order": "gateway", "product": "order"}
    return {
        app: (
            served(mesh_ports[app].metrics, callers[app]),
            served(replicas[app].ports["metrics"], callers[app]),
        )
        for app in callers
    }


class Race:
    """Orders for two products, interleaved, by many workers at once; how each
    ended, per product. Attempts not started within TIME_LIMIT are skipped."""

    def __init__(self, shop: Shop, contested: str, ample: str) -> None:
        self.shop = shop
        jobs = [contested] * CONTESTED + [ample] * AMPLE
        self.jobs = [jobs[i * 7919 % len(jobs)] for i in range(len(jobs))]
        self.tally: dict[str, Counter[str]] = {contested: Counter(), ample: Counter()}
        self.placed: list[str] = []
        self.buyers = [shop.new_user().id for _ in range(4)]
        self.took = 0.0

    def run(self) -> None:
        deadline = time.monotonic() + TIME_LIMIT

        def one(i: int) -> None:
            product = self.jobs[i]
            if time.monotonic() > deadline:
                self.tally[product]["not_tried"] += 1
                return
            try:
                buyer = self.buyers[i % len(self.buyers)]
                self.placed.append(place(self.shop, buyer, product))
                self.tally[product]["ok"] += 1
            except grpc.RpcError as err:
                self.tally[product][outcome(err)] += 1

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(one, range(len(self.jobs))))
        self.took = time.monotonic() - started


def delivered_events(shared_env: dict[str, str], order_ids: set[str]) -> list[Any]:
    """The outbox rows of these orders, once every one is delivered."""

    def delivered() -> list[Any] | None:
        rows = outbox_rows(shared_env, order_ids)
        done = rows and all(x["published_at"] is not None for x in rows)
        return rows if done else None

    return eventually(
        delivered,
        60,
        what="every event of the placed orders delivered",
    )


def test_f9_two_replicas_each_sell_exactly_the_stock_and_publish_once(
    mesh: Any, profile: str, shared_env: dict[str, str]
) -> None:
    shop = Shop()
    with (
        replica(profile, "product", mesh.log_dir) as product2,
        replica(profile, "order", mesh.log_dir) as order2,
    ):
        replicas = {"product": product2, "order": order2}
        contested = shop.new_product(stock=UNITS).id
        ample = shop.new_product(stock=AMPLE + 10).id
        race = Race(shop, contested, ample)
        before = per_instance(replicas)
        with LowestStock(shop, contested) as lowest:
            race.run()
        after = per_instance(replicas)
    calls = {
        app: [a - b for a, b in zip(after[app], before[app], strict=True)]
        for app in after
    }
    spread = {app: "/".join(map(str, counts)) for app, counts in calls.items()}
    figures = settled(shared_env, contested, timeout=60)
    assert_balanced(shared_env, contested)
    order_ids = set(race.placed)
    created = [
        x
        for x in delivered_events(shared_env, order_ids)
        if x["topic"] == topics.ORDER_CREATED
    ]
    relays = Counter(x["claimed_by"] for x in created)

    def published() -> Counter[str] | None:
        found = orders_published(profile, topics.ORDER_CREATED, order_ids)
        return found if len(found) >= len(created) else None

    on_broker = eventually(
        published,
        30,
        what="the order-created events on the broker",
    )
    duplicated = sum(n - 1 for n in on_broker.values())
    line = (
        f"F9 2x product + 2x order, {len(race.jobs)} orders in {race.took:.0f}s:"
        f" {UNITS} units -> {summary(race.tally[contested])}"
        f" lowest_stock={lowest.lowest} ({lowest.reads} reads) sold={figures.sold}"
        f" | ample -> {summary(race.tally[ample])}"
        f" | events={len(created)} on_broker={len(on_broker)}"
        f" duplicated={duplicated}"
        f" per_relay={'/'.join(str(n) for n in relays.values())}"
        f" | calls per instance: product={spread['product']} order={spread['order']}"
    )
    print("\n" + line, flush=True)
    assert race.tally[contested]["ok"] == UNITS, line
    assert lowest.lowest is not None and lowest.lowest >= 0, line
    assert figures.sold == UNITS and figures.available == 0, figures
    assert race.tally[ample]["ok"] == AMPLE, line
    assert len(created) == len(order_ids), line
    assert set(on_broker) == {x["event_id"] for x in created}, line
    assert duplicated == 0, line
    assert min(calls["product"] + calls["order"]) > 0, line  # both served
    assert len(relays) == 2, line
