"""An app publishes only its own topics (publishingScopes, protectedTopics)."""

from __future__ import annotations

import grpc
import pytest

from common import topics
from devmesh import access, ports, trust

pytestmark = [pytest.mark.security, pytest.mark.lite]


def _publish(app: str, topic: str) -> grpc.RpcError | None:
    """PublishEvent through `app`'s sidecar, with `app`'s token (an empty
    payload: a refused publish never reaches a subscriber)."""
    request = (
        b"\x0a"
        + bytes([len("pubsub")])
        + b"pubsub"
        + b"\x12"
        + bytes([len(topic)])
        + topic.encode()
    )
    port = ports.load().apps[app].grpc
    token = (("dapr-api-token", trust.api_tokens()[app].dapr),)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        rpc = channel.unary_unary(
            "/dapr.proto.runtime.v1.Dapr/PublishEvent",
            request_serializer=lambda raw: raw,
            response_deserializer=lambda raw: raw,
        )
        try:
            rpc(request, metadata=token, timeout=10)
        except grpc.RpcError as err:
            return err
    return None


@pytest.mark.parametrize(
    ("app", "topic"),
    [
        ("notification", topics.ORDER_CREATED),
        ("user", topics.STOCK_CHANGED),
        ("gateway", topics.ORDER_STATUS_CHANGED),
        ("product", topics.USER_CREATED),
    ],
)
def test_an_app_cannot_publish_another_apps_topic(
    mesh: object, app: str, topic: str
) -> None:
    """Refused by the topic scopes, or one step earlier for an app whose
    sidecar does not expose the publish API at all (gateway, notification:
    their sidecars publish only dead letters, internally)."""
    assert topic not in access.PUBLISHES[app]
    err = _publish(app, topic)
    assert err is not None, f"{app} published {topic}"
    if "publish" in access.APIS[app]:
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED, err
        assert f"topic {topic} is not allowed for app id {app}" in (
            err.details() or ""
        ), err
    else:
        assert err.code() == grpc.StatusCode.UNIMPLEMENTED, err


def test_an_app_publishes_its_own_topic(mesh: object) -> None:
    """The control: the same request on a topic of its own goes through
    (product-updated for an unknown product only makes the gateway forget a
    cache entry)."""
    assert _publish("product", topics.PRODUCT_UPDATED) is None
