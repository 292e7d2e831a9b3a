"""F3, F4: Kafka brokers fail while orders flow (the three-node cluster).

F3 kills one of three brokers with SIGKILL under load: replication (factor 3,
min.insync.replicas 2, producer acks=all) keeps every acknowledged event, the
outbox re-publishes what was not acknowledged, and the consumers' idempotency
drops what arrives twice. F4 stops every broker for 30 s: orders are still
accepted (their events wait in the outbox) and are delivered once the brokers
are back.

An event counts as consumed when its order's confirmation email arrived (the
whole chain: order -> Kafka -> user -> Kafka -> notification -> Mailpit), by
order id, so a duplicate under another event id would show too. The fault tier
runs the cluster: tests/faults/conftest.py sets KAFKA_NODES=3.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from typing import Any

import grpc
import pytest

from common.caller import Actor
from devmesh.launcher import kafka
from devmesh.paths import run_dir
from protos.common.v1 import money_pb2
from protos.order.v1 import order_pb2, order_pb2_grpc
from protos.product.v1 import product_pb2, product_pb2_grpc
from protos.user.v1 import user_pb2, user_pb2_grpc
from tests.integration.helpers import ADMIN, dapr_token, http_json, sidecar_channel

pytestmark = pytest.mark.faults

N = int(os.environ.get("FAULTS_ORDERS", "200"))
OUTAGE = float(os.environ.get("FAULTS_BROKER_OUTAGE", "30"))
RETRIES = 5
ORDER_IN_SUBJECT = re.compile(r"We received your order (\S+)")


class Buyer:
    """One new buyer and one product, ordering through the gateway's sidecar."""

    def __init__(self, stock: int) -> None:
        channel = sidecar_channel(via="gateway")
        self._orders = order_pb2_grpc.OrderServiceStub(channel)
        token = dapr_token("gateway")
        self._md = {
            app: (("dapr-app-id", app), ("dapr-api-token", token))
            for app in ("user", "product", "order")
        }
        self.retries = 0
        self._lock = threading.Lock()
        tag = uuid.uuid4().hex[:10]
        self.user = (
            user_pb2_grpc.UserServiceStub(channel)
            .GetOrCreateUser(
                user_pb2.GetOrCreateUserRequest(
                    subject=f"brokers|{tag}", email=f"{tag}@example.com", name=tag
                ),
                metadata=(
                    *self._md["user"],
                    *Actor(subject=f"brokers|{tag}").metadata(),
                ),
                timeout=10,
            )
            .user
        )
        self.product = product_pb2_grpc.ProductServiceStub(channel).CreateProduct(
            product_pb2.CreateProductRequest(
                name=f"Broker fault {tag}",
                category="faults",
                price=money_pb2.Money(amount=700, currency="USD"),
                stock=stock,
            ),
            metadata=(*self._md["product"], *ADMIN.metadata()),
            timeout=10,
        )

    def place(self) -> str:
        """One order. A refusal that says "retry later" (UNAVAILABLE) is
        retried with the same idempotency key, as a client should; each retry
        is counted."""
        key = uuid.uuid4().hex
        for attempt in range(RETRIES + 1):
            try:
                reply = self._orders.PlaceOrder(
                    order_pb2.PlaceOrderRequest(
                        user_id=self.user.id,
                        items=[
                            order_pb2.PlaceOrderItem(
                                product_id=self.product.id, quantity=1
                            )
                        ],
                        idempotency_key=key,
                    ),
                    metadata=(
                        *self._md["order"],
                        *Actor(user_id=self.user.id).metadata(),
                    ),
                    timeout=30,
                )
                return str(reply.id)
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.UNAVAILABLE or attempt == RETRIES:
                    raise
                with self._lock:
                    self.retries += 1
                time.sleep(1 + attempt)
        raise AssertionError("unreachable")

    def place_many(self, n: int, rate: float) -> tuple[list[str], list[str]]:
        """n orders by a few workers, at most `rate` per second: (ids, errors)."""
        placed: list[str] = []
        errors: list[str] = []
        began = time.monotonic()

        def one(i: int) -> None:
            time.sleep(max(0.0, i / rate - (time.monotonic() - began)))
            try:
                placed.append(self.place())
            except Exception as err:  # reported by the test
                errors.append(repr(err))

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(one, range(n)))
        return placed, errors

    def confirmations(self) -> Counter[str]:
        """Order id -> how many confirmation emails this buyer got for it."""
        found: Counter[str] = Counter()
        start = 0
        while True:
            page = http_json(
                f"http://127.0.0.1:{_mailpit_http()}/api/v1/search?query="
                f"to:{self.user.email}&limit=500&start={start}"
            )
            messages = page.get("messages") or []
            for message in messages:
                match = ORDER_IN_SUBJECT.search(message.get("Subject", ""))
                if match:
                    found[match.group(1)] += 1
            start += len(messages)
            if not messages or start >= page.get("messages_count", 0):
                return found

    def wait_confirmed(self, orders: list[str], timeout: float) -> Counter[str]:
        """Until every order has its email (or the timeout), then 5 s more in
        which a late duplicate would show."""
        deadline = time.monotonic() + timeout
        while not set(orders) <= set(self.confirmations()):
            if time.monotonic() > deadline:
                break
            time.sleep(1)
        time.sleep(5)
        return self.confirmations()


def _mailpit_http() -> int:
    from devmesh import ports

    return ports.load().mailpit_http


def verdict(
    label: str, orders: list[str], emails: Counter[str], extra: str = ""
) -> str:
    consumed = len(set(orders) & set(emails))
    duplicated = sum(count - 1 for count in emails.values())
    line = (
        f"{label}: sent={len(orders)} consumed={consumed}"
        f" lost={len(orders) - consumed} duplicated={duplicated}"
        + (f" {extra}" if extra else "")
    )
    print("\n" + line, flush=True)
    return line


def broker_pid(name: str) -> int:
    """The JVM of one node, from its `devmesh run` pidfile."""
    pidfile = run_dir(os.environ["PROFILE"]) / "pids" / f"{name}.pid"
    return int(pidfile.read_text().split()[0])


@pytest.fixture(scope="module")
def cluster(mesh: Any) -> list[kafka.Node]:
    nodes = kafka.nodes()
    assert len(nodes) == 3, "the broker faults need the cluster: KAFKA_NODES=3"
    return nodes


def test_f3_kill_9_one_broker_of_three(mesh: Any, cluster: list[kafka.Node]) -> None:
    victim = cluster[1]
    buyer = Buyer(stock=N + 10)
    result: dict[str, tuple[list[str], list[str]]] = {}
    flow = threading.Thread(
        target=lambda: result.update(flow=buyer.place_many(N, rate=20)), daemon=True
    )
    flow.start()
    time.sleep(N / 20 / 3)  # a third of the orders are in
    os.kill(broker_pid(victim.name), signal.SIGKILL)
    flow.join(timeout=180)
    placed, errors = result["flow"]
    emails = buyer.wait_confirmed(placed, timeout=180)
    line = verdict(
        f"F3 kill -9 broker {victim.node_id} of 3",
        placed,
        emails,
        f"retried={buyer.retries} refused={len(errors)}",
    )
    assert not errors, f"orders refused while one broker was down: {errors[:3]}"
    assert "lost=0 duplicated=0" in line


def _stop_all(mesh: Any, cluster: list[kafka.Node]) -> None:
    """Every node at once (one by one, the last would wait for a quorum)."""
    with concurrent.futures.ThreadPoolExecutor(len(cluster)) as pool:
        list(pool.map(lambda node: mesh.stop_one(node.name), cluster))


def test_f4_every_broker_down_for_30s(mesh: Any, cluster: list[kafka.Node]) -> None:
    buyer = Buyer(stock=N + 10)
    _stop_all(mesh, cluster)
    down = time.monotonic()
    placed, errors = buyer.place_many(N // 4, rate=N / 4 / (OUTAGE * 0.8))
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down)))
    outage = time.monotonic() - down
    for node in cluster:
        mesh.start_one(node.name)
    back = time.monotonic()
    emails = buyer.wait_confirmed(placed, timeout=240)
    drained = time.monotonic() - back - 5
    line = verdict(
        f"F4 all 3 brokers down {outage:.0f}s",
        placed,
        emails,
        f"retried={buyer.retries} refused={len(errors)}"
        f" delivered_within={drained:.0f}s_of_restart",
    )
    assert not errors, f"orders refused during the outage: {errors[:3]}"
    assert "lost=0 duplicated=0" in line
