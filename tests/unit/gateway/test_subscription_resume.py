"""orderStatusChanged(afterUpdatedAt): a client that reconnects (to any
gateway) first gets the order's current state if it changed since the last one
it saw, and no late live event shows that change or an earlier one again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from gateway import clients
from gateway.graphql.orders.subscriptions import already_shown
from tests.unit.gateway.fakes import GraphQL, World
from tests.unit.gateway.test_subscriptions import (
    PLACE,
    connect,
    status_event,
    wait_for_subscriber,
)

RESUME = (
    "subscription($id: ID!, $after: DateTime) {"
    " orderStatusChanged(orderId: $id, afterUpdatedAt: $after) { status updatedAt } }"
)


def resume(socket: Any, order_id: str, after: str | None) -> None:
    socket.send_json(
        {
            "id": "r",
            "type": "subscribe",
            "payload": {"query": RESUME, "variables": {"id": order_id, "after": after}},
        }
    )


def placed(world: World, client: TestClient, token: str) -> clients.Order:
    lamp = world.products.add("Lamp")
    order_id = GraphQL(client)(PLACE, {"id": lamp}, token=token)["data"]["placeOrder"]
    return world.orders.by_id[order_id["id"]]


def moved(world: World, order: clients.Order, status: str) -> clients.Order:
    """The order service changed the order while the client was away."""
    later = replace(
        order,
        status=clients.OrderStatus[status],
        updated_at=order.updated_at + timedelta(seconds=5),
    )
    world.orders.by_id[order.id] = later
    return later


def test_a_change_missed_while_away_comes_first_and_once(
    world: World, client: TestClient
) -> None:
    alice = world.token("alice")
    order = placed(world, client, alice)
    seen_at = order.updated_at.isoformat()
    moved(world, order, "SHIPPED")
    ws, socket = connect(client, alice)
    try:
        socket.receive_json()
        resume(socket, order.id, seen_at)
        replayed = socket.receive_json()["payload"]["data"]["orderStatusChanged"]
        wait_for_subscriber(client, order.id)
        for status in ("CONFIRMED", "SHIPPED", "DELIVERED"):  # two of them late
            client.post(
                "/events/pubsub/order-status-changed",
                json=status_event(order.id, status),
            )
        live = socket.receive_json()["payload"]["data"]["orderStatusChanged"]
    finally:
        ws.__exit__(None, None, None)

    assert replayed["status"] == "SHIPPED"
    assert live["status"] == "DELIVERED"


def test_nothing_is_replayed_when_the_client_is_up_to_date(
    world: World, client: TestClient
) -> None:
    alice = world.token("alice")
    order = placed(world, client, alice)
    ws, socket = connect(client, alice)
    try:
        socket.receive_json()
        resume(socket, order.id, order.updated_at.isoformat())
        wait_for_subscriber(client, order.id)
        client.post(
            "/events/pubsub/order-status-changed",
            json=status_event(order.id, "CONFIRMED"),
        )
        first = socket.receive_json()["payload"]["data"]["orderStatusChanged"]
    finally:
        ws.__exit__(None, None, None)

    assert first["status"] == "CONFIRMED"


def test_a_late_event_is_shown_only_if_it_is_past_the_replayed_state() -> None:
    assert not already_shown("SHIPPED", None)
    assert already_shown("SHIPPED", "SHIPPED")
    assert already_shown("CONFIRMED", "SHIPPED")
    assert not already_shown("DELIVERED", "SHIPPED")
    assert already_shown("CANCELLED", "DELIVERED")  # both end the order
