"""Under `tilt up`, a crashed app is restarted inside its resource and Tilt
shows it; one that keeps crashing is given up on, loudly.

The notification app is killed with SIGKILL (its pid from the run folder's
pidfile). Through Tilt's own API: the resource's log carries the supervisor's
crash and restart lines with the backoff, the resource turns not-ready
(runtime status pending) and ready again, the gateway keeps answering
meanwhile, and an order placed after the restart gets its email. With
DAPRSHOP_RESTART_LIMIT=1 a second kill is one too many: the resource says
GIVING UP and Tilt shows it in error. Lite profile (no Kafka) and only what
the gateway and notification need, to keep the tier short.
DAPRSHOP_TILT_OFFSET / DAPRSHOP_TILT_RUN_DIR move it off test-tilt's ports
and folder (to run it beside another mesh).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devmesh import ports
from devmesh.tokens import get_token
from tests.e2e.tilt_api import TiltUp, ready, runtime

pytestmark = [pytest.mark.e2e, pytest.mark.tilt]

OFFSET = int(os.environ.get("DAPRSHOP_TILT_OFFSET", ports.OFFSETS["test-tilt"]))
P = ports.load(OFFSET)
GATEWAY = P.apps["gateway"].app
APP = "notification"


def _run_dir() -> Path:
    chosen = os.environ.get("DAPRSHOP_TILT_RUN_DIR")
    return (
        Path(chosen)
        if chosen
        else Path(os.environ["DAPRSHOP_RUN_DIR"]).with_name("test-tilt-crash")
    )


@pytest.fixture(scope="module")
def tilt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TiltUp]:
    run_dir = _run_dir()
    shutil.rmtree(run_dir, ignore_errors=True)
    env = {
        "DAPRSHOP_PORT_OFFSET": str(OFFSET),
        "DAPRSHOP_RUN_DIR": str(run_dir),
        "PROFILE": "lite",
        "DAPRSHOP_RESTART_LIMIT": "1",
    }
    log = tmp_path_factory.mktemp("tilt") / "tilt-up.log"
    up = TiltUp(env, ["--profile", "lite", "gateway", APP], log)
    up.start()
    try:
        took = up.wait(
            "every resource ready",
            lambda: (r := up.resources()) != {} and all(map(ready, r.values())),
            timeout=420,
            every=2,
        )
        print(f"tilt up: {len(up.resources())} resources ready in {took:.0f}s")
        yield up
    finally:
        up.stop()
        left = list((run_dir / "pids").glob("*.pid"))
        assert not left, f"resources still running after tilt stopped: {left}"


def _status(tilt: TiltUp) -> dict[str, Any]:
    return tilt.resources().get(APP, {})


def _app_pid() -> int:
    pidfile = _run_dir() / "pids" / f"{APP}.pid"
    return int(pidfile.read_text().split()[0])  # app first, then daprd


def _graphql(query: str, token: str | None = None, **variables: Any) -> Any:
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = f"http://127.0.0.1:{GATEWAY}/graphql"
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=20) as resp:
        answer = json.loads(resp.read())
    assert not answer.get("errors"), answer
    return answer["data"]


def _emails_to(address: str) -> list[dict[str, Any]]:
    query = urllib.parse.quote(f"to:{address}")
    url = f"http://127.0.0.1:{P.mailpit_http}/api/v1/search?query={query}"
    with urllib.request.urlopen(url, timeout=5) as resp:
        return list(json.loads(resp.read()).get("messages") or [])


def _kill_app() -> int:
    pid = _app_pid()
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_killed_app_is_restarted_and_tilt_shows_it(tilt: TiltUp) -> None:
    issuer = f"http://127.0.0.1:{P.oidc}/shop"
    tag = uuid.uuid4().hex[:8]
    buyer, admin = f"crash-{tag}", get_token(f"admin-{tag}", True, issuer)
    token = get_token(buyer, issuer_url=issuer)
    assert _graphql("{ me { id } }", token)["me"]["id"]

    pid = _kill_app()
    began = time.monotonic()
    tilt.wait("notification not ready", lambda: not ready(_status(tilt)), 30, 0.3)
    assert runtime(_status(tilt)) == "pending", _status(tilt)
    # The rest of the mesh keeps serving while notification is down.
    email = f"{buyer}@daprshop.test"
    assert _graphql("{ me { email } }", token)["me"]["email"] == email
    assert not ready(_status(tilt)), "the gateway answered only after the restart"

    tilt.wait("notification ready again", lambda: ready(_status(tilt)), 90, 0.5)
    print(f"notification down and ready again in {time.monotonic() - began:.1f}s")
    log = tilt.logs(APP)
    assert f"app (pid {pid}) exited with -9; restarting it in 1s" in log, log[-3000:]
    assert "app restarted (pid " in log, log[-3000:]
    assert _app_pid() != pid

    product = _graphql(
        """mutation($input: CreateProductInput!) { createProduct(input: $input) {
             __typename ... on Product { id } } }""",
        admin,
        input={
            "name": f"Tilt {tag}",
            "category": "tilt",
            "price": {"amount": 900, "currency": "USD"},
            "stock": 5,
        },
    )["createProduct"]
    assert product["__typename"] == "Product", product
    order = _graphql(
        """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
             __typename ... on Order { id } } }""",
        token,
        input={
            "items": [{"productId": product["id"], "quantity": 1}],
            "idempotencyKey": uuid.uuid4().hex,
        },
    )["placeOrder"]
    assert order["__typename"] == "Order", order

    def confirmed() -> bool:
        return any(order["id"] in m["Subject"] for m in _emails_to(email))

    took = tilt.wait("the order's email", confirmed, 60)
    print(f"the order's email arrived {took:.1f}s after placing it")


def test_an_app_that_keeps_crashing_is_given_up_and_tilt_shows_an_error(
    tilt: TiltUp,
) -> None:
    """DAPRSHOP_RESTART_LIMIT=1: the kill of the test above was the one
    allowed within the window; this one is given up on. Triggering the
    resource in Tilt starts it afresh."""
    _kill_app()
    tilt.wait("notification in error", lambda: runtime(_status(tilt)) == "error", 30)
    log = tilt.logs(APP)
    assert "GIVING UP: app exited with -9, crash 2 within 120s" in log, log[-3000:]
    others = {n: s for n, s in tilt.resources().items() if n != APP}
    assert all(map(ready, others.values())), others
    assert _graphql("{ __typename }")["__typename"] == "Query"
    tilt.trigger(APP)
    took = tilt.wait("notification triggered again", lambda: ready(_status(tilt)), 90)
    print(f"notification ready {took:.1f}s after `tilt trigger`")
