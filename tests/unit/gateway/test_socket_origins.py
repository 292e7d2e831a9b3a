"""Which browser pages may open a subscription socket: the gateway's own and
the configured CORS origins (the storefront); any other origin is refused
(cross-site WebSocket hijacking)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from gateway.config import GatewaySettings
from gateway.graphql.context import GatewayServices
from tests.unit.gateway.fakes import World

STOREFRONT = "http://127.0.0.1:18090"


@pytest.fixture
def world() -> World:
    return World(GatewaySettings(environment="test", cors_origins=(STOREFRONT,)))


@pytest.fixture
def client(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> TestClient:
    return make_client(world.services())


def handshake(client: TestClient, token: str, origin: str) -> str:
    with client.websocket_connect(
        "/graphql",
        subprotocols=["graphql-transport-ws"],
        headers={"Origin": origin},
    ) as socket:
        socket.send_json(
            {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {token}"},
            }
        )
        message: str = socket.receive_json()["type"]
        return message


def test_the_storefronts_pages_may_subscribe(world: World, client: TestClient) -> None:
    assert handshake(client, world.token("alice"), STOREFRONT) == "connection_ack"


def test_a_foreign_page_may_not(world: World, client: TestClient) -> None:
    with pytest.raises((WebSocketDenialResponse, WebSocketDisconnect)):
        handshake(client, world.token("alice"), "http://evil.example")
