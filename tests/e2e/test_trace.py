"""One order, one trace: every hop of `placeOrder` is in the trace store under
the trace id the gateway returned, and the confirmation email names it.

Spans are read back through Zipkin's HTTP API (`/api/v2/trace/{id}`). A span
of a sidecar is told from one of its app by daprd's `service.name` tag (both
report the app id as their service, so the UI groups them).
"""

from __future__ import annotations

import urllib.error
import uuid
from typing import Any

import pytest

from devmesh import ports
from devmesh.tokens import get_token
from tests.e2e.graphql import create_product, post_graphql
from tests.integration.helpers import eventually, http_json, mailpit_messages

pytestmark = pytest.mark.e2e

PLACE_ORDER = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  __typename ... on Order { id } } }"""


def zipkin(path: str) -> Any:
    """A Zipkin API answer; an unknown trace (404, not there yet) is empty."""
    try:
        return http_json(f"http://127.0.0.1:{ports.load().zipkin}{path}")
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return []
        raise


def is_sidecar(span: dict[str, Any]) -> bool:
    return "service.name" in (span.get("tags") or {})


def by(spans: list[dict[str, Any]], service: str, sidecar: bool) -> list[str]:
    return [
        span["name"]
        for span in spans
        if span["localEndpoint"]["serviceName"] == service
        and is_sidecar(span) == sidecar
    ]


def hops(spans: list[dict[str, Any]]) -> dict[str, bool]:
    """Each hop the issue asks for, and whether the trace holds it."""
    topics = [
        (span.get("tags") or {}).get("messaging.destination.name") for span in spans
    ]
    names = {span["name"] for span in spans}
    return {
        "gateway app": "graphql mutation placeorder" in by(spans, "gateway", False),
        "gateway sidecar": any(
            "placeorder" in n for n in by(spans, "gateway", sidecar=True)
        ),
        "order app": "orderservice/placeorder" in by(spans, "order", False),
        "order sidecar": any("placeorder" in n for n in by(spans, "order", True)),
        "product sidecar (reservation)": any(
            "reservestock" in n for n in by(spans, "product", True)
        ),
        "kafka publish order-created": "order-created" in topics
        and any("publishevent" in n for n in by(spans, "order", True)),
        "kafka consume order-created": "pubsub/order-created" in names,
        "kafka consume order-notification": "pubsub/order-notification" in names,
        "notification app": "consume order-notification"
        in by(spans, "notification", False),
        "smtp send": "smtp send" in by(spans, "notification", False),
    }


def test_one_trace_holds_the_whole_path_of_an_order(
    shared_env: dict[str, str],
) -> None:
    tag = uuid.uuid4().hex[:6]
    buyer = f"tracy-{tag}"
    token = get_token(buyer, issuer_url=shared_env["OIDC_ISSUER"])
    admin = get_token(f"admin-{tag}", admin=True, issuer_url=shared_env["OIDC_ISSUER"])
    product = create_product(admin, stock=5)

    status, body = post_graphql(
        PLACE_ORDER,
        {
            "input": {
                "items": [{"productId": product["id"], "quantity": 1}],
                "idempotencyKey": uuid.uuid4().hex,
            }
        },
        token,
    )
    assert status == 200 and body["data"]["placeOrder"]["__typename"] == "Order"
    order_id = body["data"]["placeOrder"]["id"]
    trace_id = body["extensions"]["traceId"]
    assert len(trace_id) == 32

    def complete() -> dict[str, bool] | None:
        found = hops(zipkin(f"/api/v2/trace/{trace_id}"))
        return found if all(found.values()) else None

    try:
        eventually(complete, 60, interval=1.0, what="every hop in the trace")
    except AssertionError:
        found = hops(zipkin(f"/api/v2/trace/{trace_id}"))
        missing = [hop for hop, ok in found.items() if not ok]
        raise AssertionError(f"trace {trace_id} lacks: {missing}") from None

    def confirmation() -> list[dict[str, Any]]:
        return [
            m
            for m in mailpit_messages(f"to:{buyer}@daprshop.test")
            if order_id in m["Subject"]
        ]

    (email,) = eventually(confirmation, 30, what="the confirmation email")
    base = f"http://127.0.0.1:{ports.load().mailpit_http}/api/v1"
    headers = http_json(f"{base}/message/{email['ID']}/headers")
    assert headers.get("X-Trace-Id") == [trace_id]


def test_a_clients_trace_is_continued(shared_env: dict[str, str]) -> None:
    trace_id = uuid.uuid4().hex
    status, body = post_graphql(
        "{ products(first: 1) { edges { cursor } } }",
        headers={"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"},
    )
    assert status == 200 and body["extensions"] == {"traceId": trace_id}

    def gateway_span() -> bool:
        spans = zipkin(f"/api/v2/trace/{trace_id}")
        return "graphql query products" in by(spans, "gateway", sidecar=False)

    eventually(gateway_span, 30, interval=1.0, what="the gateway's span in Zipkin")
