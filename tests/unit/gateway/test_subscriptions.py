"""Events from the sidecar (dapr-ext-fastapi routes) and orderStatusChanged over
graphql-transport-ws, across two gateway processes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from gateway.config import GatewaySettings
from gateway.fanout import OrderStatusEvent, OrderStatusFanout
from gateway.graphql.context import GatewayServices
from tests.unit.gateway.fakes import GraphQL, World

SUBSCRIBE = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }"
PLACE = (
    "mutation($id: ID!) { placeOrder(input: {items: [{productId: $id, quantity: 1}], "
    'idempotencyKey: "k"}) { ... on Order { id } } }'
)


def cloud_event(topic: str, data: dict[str, Any], event_id: str = "") -> dict[str, Any]:
    return {
        "id": event_id or uuid.uuid4().hex,
        "specversion": "1.0",
        "type": "com.dapr.event.sent",
        "source": "order",
        "topic": topic,
        "pubsubname": "pubsub",
        "datacontenttype": "application/json",
        "data": data,
    }


def status_event(order_id: str, status: str, event_id: str = "") -> dict[str, Any]:
    return cloud_event(
        "order-status-changed",
        {"orderId": order_id, "userId": "u1", "newStatus": status},
        event_id,
    )


# --- deliveries from the sidecar ------------------------------------------------------


def test_the_gateway_tells_dapr_its_subscriptions(client: TestClient) -> None:
    subscriptions = client.get("/dapr/subscribe").json()

    assert {(s["topic"], s["deadLetterTopic"]) for s in subscriptions} == {
        ("product-updated", "product-updated-dead-letter"),
        ("stock-changed", "stock-changed-dead-letter"),
        ("order-status-changed", "order-status-changed-dead-letter"),
    }
    assert {s["pubsubname"] for s in subscriptions} == {"pubsub"}


@pytest.fixture
def guarded(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> TestClient:
    settings = GatewaySettings(environment="test", app_api_token="sidecar-secret")  # type: ignore[arg-type]
    return make_client(world.services(settings=settings))


def test_deliveries_without_the_app_token_are_refused(
    world: World, guarded: TestClient
) -> None:
    lamp = world.products.add("Lamp")
    GraphQL(guarded)("{ products { edges { cursor } } }")
    event = cloud_event("product-updated", {"productId": lamp})

    refused = guarded.post("/events/pubsub/product-updated", json=event)
    wrong = guarded.post(
        "/events/pubsub/product-updated",
        json=event,
        headers={"dapr-api-token": "guess"},
    )
    accepted = guarded.post(
        "/events/pubsub/product-updated",
        json=event,
        headers={"dapr-api-token": "sidecar-secret"},
    )

    assert refused.status_code == wrong.status_code == 401
    assert accepted.json() == {"status": "SUCCESS"}


def test_a_product_event_makes_the_next_read_fresh(
    world: World, client: TestClient
) -> None:
    lamp = world.products.add("Lamp", stock=5)
    gql = GraphQL(client)
    query = "query($id: ID!) { product(id: $id) { stock } }"
    assert gql(query, {"id": lamp})["data"]["product"]["stock"] == 5
    world.products.by_id[lamp] = replace(world.products.by_id[lamp], stock=2)
    assert gql(query, {"id": lamp})["data"]["product"]["stock"] == 5  # cached

    answer = client.post(
        "/events/pubsub/stock-changed",
        json=cloud_event("stock-changed", {"productId": lamp, "stock": "2"}),
    )

    assert answer.json() == {"status": "SUCCESS"}
    assert gql(query, {"id": lamp})["data"]["product"]["stock"] == 2


@pytest.mark.parametrize(
    ("topic", "body"),
    [
        ("product-updated", b"not json"),
        ("product-updated", b'{"id": "e1", "data": "not an object"}'),
        ("product-updated", b'{"id": "e1", "data": {}}'),
        ("stock-changed", b'{"id": "e1", "data": {"productId": 5, "stock": "x"}}'),
        ("order-status-changed", b'{"id": "e1", "data": {"newStatus": "SHIPPED"}}'),
    ],
)
def test_undecodable_events_are_dropped(
    client: TestClient, topic: str, body: bytes
) -> None:
    answer = client.post(
        f"/events/pubsub/{topic}",
        content=body,
        headers={"content-type": "application/cloudevents+json"},
    )

    assert answer.json() == {"status": "DROP"}


def test_a_failing_cache_asks_for_a_retry(world: World, client: TestClient) -> None:
    world.store.down = True

    answer = client.post(
        "/events/pubsub/product-updated",
        json=cloud_event("product-updated", {"productId": "p1"}),
    )

    assert answer.json() == {"status": "RETRY"}


# --- the subscription over websocket --------------------------------------------------


def connect(client: TestClient, token: str | None) -> Any:
    ws = client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
    socket = ws.__enter__()
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    socket.send_json({"type": "connection_init", "payload": payload})
    return ws, socket


def subscribe(socket: Any, order_id: str, op: str = "1") -> None:
    socket.send_json(
        {
            "id": op,
            "type": "subscribe",
            "payload": {"query": SUBSCRIBE, "variables": {"id": order_id}},
        }
    )


def wait_for_subscriber(client: TestClient, order_id: str) -> None:
    services: GatewayServices = client.app.state.services  # type: ignore[attr-defined]
    for _ in range(200):
        if services.fanout.subscriber_count(order_id):
            return
        client.portal.call(asyncio.sleep, 0.01)  # type: ignore[union-attr]
    raise AssertionError("the subscription did not start")


def test_a_subscriber_on_another_process_sees_each_status(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> None:
    receiver = make_client(world.services())  # Dapr delivers here...
    watcher = make_client(world.services())  # ...the websocket is here
    lamp = world.products.add("Lamp")
    alice = world.token("alice")
    order = GraphQL(receiver)(PLACE, {"id": lamp}, token=alice)["data"]["placeOrder"]
    ws, socket = connect(watcher, alice)
    try:
        assert socket.receive_json()["type"] == "connection_ack"
        subscribe(socket, order["id"])
        wait_for_subscriber(watcher, order["id"])

        for status in ("CONFIRMED", "SHIPPED"):
            answer = receiver.post(
                "/events/pubsub/order-status-changed",
                json=status_event(order["id"], status),
            )
            assert answer.json() == {"status": "SUCCESS"}

        seen = [socket.receive_json()["payload"]["data"] for _ in range(2)]
    finally:
        ws.__exit__(None, None, None)

    assert seen == [
        {"orderStatusChanged": {"id": order["id"], "status": "CONFIRMED"}},
        {"orderStatusChanged": {"id": order["id"], "status": "SHIPPED"}},
    ]


def test_a_redelivered_event_is_shown_once(world: World, client: TestClient) -> None:
    lamp = world.products.add("Lamp")
    alice = world.token("alice")
    order = GraphQL(client)(PLACE, {"id": lamp}, token=alice)["data"]["placeOrder"]
    ws, socket = connect(client, alice)
    try:
        socket.receive_json()
        subscribe(socket, order["id"])
        wait_for_subscriber(client, order["id"])
        for event_id in ("e1", "e1", "e2"):
            status = "CONFIRMED" if event_id == "e1" else "SHIPPED"
            client.post(
                "/events/pubsub/order-status-changed",
                json=status_event(order["id"], status, event_id),
            )
        first = socket.receive_json()["payload"]["data"]["orderStatusChanged"]
        second = socket.receive_json()["payload"]["data"]["orderStatusChanged"]
    finally:
        ws.__exit__(None, None, None)

    assert [first["status"], second["status"]] == ["CONFIRMED", "SHIPPED"]


def test_only_the_owner_may_subscribe(world: World, client: TestClient) -> None:
    lamp = world.products.add("Lamp")
    alice, bob = world.token("alice"), world.token("bob")
    order = GraphQL(client)(PLACE, {"id": lamp}, token=alice)["data"]["placeOrder"]
    ws, socket = connect(client, bob)
    try:
        socket.receive_json()
        subscribe(socket, order["id"])
        answer = socket.receive_json()
    finally:
        ws.__exit__(None, None, None)

    assert answer["type"] == "next"
    assert answer["payload"]["data"] is None
    assert answer["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_connection_without_a_valid_token_is_closed(
    client: TestClient, token: str | None
) -> None:
    ws, socket = connect(client, token)
    try:
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    finally:
        ws.__exit__(None, None, None)

    assert closed.value.code == 4403


def test_subscribing_before_connection_init_is_unauthorized(client: TestClient) -> None:
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"]
    ) as socket:
        subscribe(socket, "o1")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()

    assert closed.value.code == 4401


def test_queries_and_mutations_are_not_served_over_websocket(
    world: World, client: TestClient
) -> None:
    ws, socket = connect(client, world.token("alice"))
    try:
        socket.receive_json()
        socket.send_json(
            {"id": "q", "type": "subscribe", "payload": {"query": "{ me { id } }"}}
        )
        answer = socket.receive_json()
    finally:
        ws.__exit__(None, None, None)

    assert answer["type"] == "error"
    assert answer["payload"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_the_legacy_graphql_ws_protocol_is_not_offered(client: TestClient) -> None:
    with (
        pytest.raises((WebSocketDisconnect, WebSocketDenialResponse)),
        client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as socket,
    ):
        socket.receive_json()


# --- the fan-out on a real Redis ------------------------------------------------------


@pytest.mark.anyio
async def test_the_fanout_reaches_every_process_through_redis(
    redis_server: str,
) -> None:
    channel = f"test:{uuid.uuid4().hex}"
    clients = [Redis.from_url(redis_server, socket_timeout=0.5) for _ in range(2)]
    one, two = (OrderStatusFanout(r, channel) for r in clients)
    one.start()
    two.start()
    try:
        assert await one.wait_listening(5) and await two.wait_listening(5)
        event = OrderStatusEvent("e1", "o1", "u1", "SHIPPED")
        async with one.subscribe("o1") as here, two.subscribe("o1") as there:
            await asyncio.sleep(1.2)  # quiet for longer than the socket timeout
            await one.publish(event)
            got = await asyncio.wait_for(
                asyncio.gather(anext(aiter(here)), anext(aiter(there))), 5
            )
        assert one.subscriber_count() == two.subscriber_count() == 0
    finally:
        await one.stop()
        await two.stop()
        for redis in clients:
            await redis.aclose()

    assert got == [event, event]


@pytest.mark.anyio
async def test_a_slow_subscriber_keeps_only_the_latest_events() -> None:
    fanout = OrderStatusFanout(redis=None, channel="x", queue_size=2)  # type: ignore[arg-type]
    async with fanout.subscribe("o1") as events:
        for i in range(5):
            fanout.dispatch(OrderStatusEvent(f"e{i}", "o1", "u1", "SHIPPED").to_json())
        fanout.dispatch(b"garbage")
        iterator = aiter(events)
        kept = [(await anext(iterator)).event_id for _ in range(2)]

    assert kept == ["e3", "e4"]
