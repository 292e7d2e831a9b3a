"""F10: two gateway processes behind one address. One rate limit holds across
both (the buckets live in Redis); and when the mesh's gateway is killed
(kill -9), a subscriber that moves to the other one, resuming after the last
order version it saw (`afterUpdatedAt`), misses no status change and sees
none twice, though the change made while it moved reached no live socket.

The second process shares the mesh gateway's sidecar for its outbound calls
(tests/e2e/test_two_gateways.py, whose fixture this reuses). Dapr delivers
events to the mesh's gateway only, which fans them out through Redis; while it
is down its sidecar retries a delivery for about 2 s (3 x 500 ms,
dapr/resiliency) and then parks the event on the dead-letter topic. So the
change made while it is down reaches no socket live: the resuming subscriber
gets it from the order itself (the verdict counts those parked events).
"""

from __future__ import annotations

import os
import signal
import time
import urllib.request
import uuid
from typing import Any

import pytest

from common import topics
from devmesh import dlq
from devmesh.tokens import get_token
from tests.e2e.graphql import (
    create_product,
    gateway_url,
    gql,
    place_order,
    post_graphql,
)
from tests.e2e.test_two_gateways import second_gateway
from tests.faults.broker import data_of
from tests.faults.test_crashes import APP, wait_restarted
from tests.faults.watch import Watcher
from tests.integration.helpers import eventually

pytestmark = pytest.mark.faults

__all__ = ["second_gateway"]  # a fixture, used by name

STATUS = (
    "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s)"
    " { __typename } }"
)


def serving(port: int | None) -> bool:
    try:
        with urllib.request.urlopen(gateway_url("/readyz", port), timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def one_bucket(token: str, port: int) -> tuple[int, int, float]:
    """100 queries, every other one through the second process, within a few
    seconds: (allowed, refused, seconds). A fresh user's bucket holds 60 and
    refills 10/s; a bucket per process would refuse none."""
    started = time.monotonic()
    statuses = [
        post_graphql("{ __typename }", token=token, port=port if i % 2 else None)[0]
        for i in range(100)
    ]
    assert set(statuses) <= {200, 429}, statuses
    return statuses.count(200), statuses.count(429), time.monotonic() - started


def test_f10_one_rate_limit_and_a_subscription_that_survives_its_gateway(
    mesh: Any, profile: str, shared_env: dict[str, str], second_gateway: int
) -> None:
    issuer = shared_env["OIDC_ISSUER"]
    tag = uuid.uuid4().hex[:6]
    buyer = get_token(f"f10-buyer-{tag}", issuer_url=issuer)
    admin = get_token(f"f10-admin-{tag}", admin=True, issuer_url=issuer)
    allowed, refused, took = one_bucket(
        get_token(f"f10-greedy-{tag}", issuer_url=issuer), second_gateway
    )

    order = place_order(buyer, create_product(admin, stock=1)["id"], 1)["id"]
    watcher = Watcher(buyer, order)
    watcher.watch()
    gql(STATUS, {"id": order, "s": "CONFIRMED"}, admin)
    assert watcher.wait_for(1, 30) == ["CONFIRMED"]
    victim = mesh.pids("gateway")[APP]
    os.kill(victim, signal.SIGKILL)
    assert watcher.disconnected.wait(10), "the socket outlived its gateway"
    gql(STATUS, {"id": order, "s": "SHIPPED"}, admin, port=second_gateway)
    watcher.watch(second_gateway, after=watcher.last_updated_at)
    watcher.wait_for(2, 30)
    wait_restarted(mesh, "gateway", APP, victim)
    eventually(lambda: serving(None), 60, what="the mesh's gateway serving again")
    gql(STATUS, {"id": order, "s": "DELIVERED"}, admin, port=second_gateway)
    watcher.wait_for(3, 60)
    time.sleep(5)  # a late duplicate would show up now
    seen = watcher.statuses
    expected = ["CONFIRMED", "SHIPPED", "DELIVERED"]
    parked = [
        letter
        for letter in dlq.dead_letters(profile, topics.ORDER_STATUS_CHANGED)
        if data_of(letter.event).get("orderId") == order
    ]
    line = (
        f"F10 two gateways: rate limit allowed={allowed} refused={refused} of 100"
        f" in {took:.1f}s (one bucket: <= {60 + 10 * took:.0f})"
        f" | kill -9 gateway, subscriber resumed on the other: seen={','.join(seen)}"
        f" missed={len(set(expected) - set(seen))}"
        f" duplicated={len(seen) - len(set(seen))}"
        f" (live events dead-lettered while it was down: {len(parked)})"
    )
    print("\n" + line, flush=True)
    assert refused > 0 and allowed <= 60 + 10 * took + 2, line
    assert seen == expected, line
    assert "gateway" not in mesh.exited()
