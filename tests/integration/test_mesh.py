"""The platform: five real sidecars, their components, invocation and pub/sub."""

from __future__ import annotations

import uuid

import pytest

from common import components, events, topics
from devmesh import access, ports
from devmesh.ports import APP_NAMES
from protos.common.v1 import money_pb2
from protos.events.v1 import events_pb2
from protos.product.v1 import product_pb2, product_pb2_grpc
from tests.integration.helpers import (
    ADMIN,
    dapr_client,
    dapr_token,
    eventually,
    http_json,
    mailpit_messages,
    sidecar_channel,
    sidecar_metadata,
)

pytestmark = [pytest.mark.integration, pytest.mark.lite]

EXPECTED_PUBSUB = {
    "full": "pubsub.kafka",
    "lite": "pubsub.redis",
    "prod-local": "pubsub.kafka",
}


@pytest.mark.parametrize("app", APP_NAMES)
def test_sidecar_is_healthy_and_loads_the_profile(
    app: str, profile: str, shared_env: dict[str, str]
) -> None:
    http = ports.load().apps[app].http
    meta = http_json(
        f"http://127.0.0.1:{http}/v1.0/metadata",
        headers={"dapr-api-token": dapr_token(app)},
    )
    assert meta["id"] == app
    types = {c["name"]: c["type"] for c in meta["components"]}
    # Each sidecar loads only the components scoped to its app: the access
    # table's, plus, where components take credentials from the secret store
    # (prod-local), that store.
    expected = {c for c, apps in access.COMPONENTS.items() if app in apps}
    if profile == "prod-local":
        expected.add(components.SECRETS)
    assert set(types) == expected
    if components.PUBSUB in expected:  # the cart neither publishes nor subscribes
        assert types[components.PUBSUB] == EXPECTED_PUBSUB[profile]
    if "idempotency" in types:
        assert types["idempotency"] == "state.redis"
    assert meta["runtimeVersion"] == "1.18.3"


def test_grpc_invocation_crosses_two_sidecars(shared_env: dict[str, str]) -> None:
    """gateway's sidecar -> product's sidecar -> product app, and back."""
    stub = product_pb2_grpc.ProductServiceStub(sidecar_channel(via="gateway"))
    md = sidecar_metadata(shared_env, "product", actor=ADMIN)
    created = stub.CreateProduct(
        product_pb2.CreateProductRequest(
            name="Platform probe",
            category="probe",
            price=money_pb2.Money(amount=100, currency="USD"),
            stock=1,
        ),
        metadata=md,
        timeout=10,
    )
    fetched = stub.GetProduct(
        product_pb2.GetProductRequest(id=created.id), metadata=md, timeout=10
    )
    assert fetched.name == "Platform probe"


def test_event_published_by_one_app_reaches_another(shared_env: dict[str, str]) -> None:
    """A user-created event published through user's sidecar makes notification
    send a welcome email, over the profile's broker (Kafka or Redis Streams)."""
    email = f"probe-{uuid.uuid4().hex[:8]}@example.com"
    payload = events_pb2.UserCreated(
        user_id=uuid.uuid4().hex, email=email, name="Probe", email_notifications=True
    )
    with dapr_client(shared_env, via="user") as client:
        client.publish_event(
            "pubsub",
            topics.USER_CREATED,
            events.encode(payload),
            data_content_type="application/json",
            publish_metadata=events.publish_metadata(str(uuid.uuid4())),
        )
    found = eventually(
        lambda: mailpit_messages(f"to:{email}"),
        timeout=60,
        what=f"welcome email to {email}",
    )
    assert len(found) == 1
