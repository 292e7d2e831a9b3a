"""Two gateway processes behind one address, as behind a load balancer: what
one process learns from Dapr (it alone gets each event) reaches the other
through Redis, and both draw on the same rate-limit buckets.

The second process shares the mesh's gateway sidecar for its outbound calls;
Dapr delivers events to the first one only, which is exactly the case the
Redis channels exist for.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from devmesh.launcher import specs
from devmesh.paths import REPO
from devmesh.tokens import get_token
from tests.e2e.graphql import (
    create_product,
    gql,
    place_order,
    post_graphql,
    watch_order_status,
)
from tests.integration.helpers import eventually

pytestmark = pytest.mark.e2e

PRODUCT_NAME = "query($id: ID!) { product(id: $id) { name } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def second_gateway(mesh: Any, profile: str) -> Iterator[int]:
    spec = specs(profile)["gateway"]
    port = free_port()
    env = {
        **os.environ,
        **spec.env,
        "APP_PORT": str(port),
        "METRICS_PORT": "0",  # the first gateway serves the metrics port
        # Only an invalidation can refresh its near cache within this test.
        "CACHE_NEAR_TTL_SECONDS": "600",
    }
    proc = subprocess.Popen(
        spec.argv,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(
            lambda: _ready(port), 30, what="second gateway process ready (/readyz)"
        )
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/readyz", timeout=2
        ) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def tokens(shared_env: dict[str, str]) -> dict[str, str]:
    issuer = shared_env["OIDC_ISSUER"]
    tag = uuid.uuid4().hex[:6]
    return {
        "carol": get_token(f"carol-{tag}", issuer_url=issuer),
        "dave": get_token(f"dave-{tag}", issuer_url=issuer),
        "admin": get_token(f"admin2-{tag}", admin=True, issuer_url=issuer),
    }


def test_an_update_reaches_the_near_cache_of_the_other_process(
    second_gateway: int, tokens: dict[str, str]
) -> None:
    product = create_product(tokens["admin"], stock=1)
    ids = {"id": product["id"]}
    before = gql(PRODUCT_NAME, ids, port=second_gateway)["product"]["name"]
    assert gql(PRODUCT_NAME, ids, port=second_gateway)["product"]["name"] == before
    renamed = f"Renamed {uuid.uuid4().hex[:6]}"

    gql(
        """mutation($id: ID!, $name: String!) { updateProduct(id: $id,
             input: {name: $name}) { __typename } }""",
        {**ids, "name": renamed},
        tokens["admin"],
    )

    eventually(
        lambda: (
            gql(PRODUCT_NAME, ids, port=second_gateway)["product"]["name"] == renamed
        ),
        10,
        what="the second process serves the renamed product",
    )


def test_a_subscription_on_the_other_process_sees_status_changes(
    second_gateway: int, tokens: dict[str, str]
) -> None:
    product = create_product(tokens["admin"], stock=1)
    order = place_order(tokens["carol"], product["id"], 1)
    seen = watch_order_status(
        tokens["carol"], order["id"], tokens["admin"], ["CONFIRMED"], second_gateway
    )
    assert seen == ["CONFIRMED"]


def test_both_processes_draw_on_one_rate_limit_bucket(
    second_gateway: int, tokens: dict[str, str]
) -> None:
    # A fresh user's bucket holds 60 queries and refills at 10/s. 100 queries,
    # half through each process, within a few seconds: one bucket refuses some
    # of them; two buckets (30 + ... per process) would never refuse any.
    statuses: list[int] = []
    started = time.monotonic()
    for i in range(100):
        port = second_gateway if i % 2 else None
        status, _ = post_graphql("{ __typename }", token=tokens["dave"], port=port)
        statuses.append(status)
    elapsed = time.monotonic() - started
    allowed = statuses.count(200)

    assert set(statuses) <= {200, 429}
    assert statuses.count(429) > 0
    assert allowed <= 60 + 10 * elapsed + 2, (allowed, elapsed)


def test_a_spoofed_forwarded_for_does_not_buy_a_new_bucket(
    second_gateway: int,
) -> None:
    # No proxy is trusted, so X-Forwarded-For is ignored: anonymous queries
    # from one peer share its bucket whatever address they claim.
    statuses = [
        post_graphql(
            "{ __typename }",
            port=second_gateway if i % 2 else None,
            headers={"X-Forwarded-For": f"203.0.113.{i % 250}"},
        )[0]
        for i in range(100)
    ]
    try:
        assert statuses.count(429) > 0
    finally:
        time.sleep(7)  # give the shared anonymous bucket back to later tests
