"""The app shell: health, readiness, trace context, settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from gateway import clients
from gateway.config import GatewaySettings
from gateway.services import GatewayServices
from tests.unit.gateway.fakes import FakeProducts, World

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_healthz_says_the_process_is_alive(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_each_dependency(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> None:
    services = world.services()

    async def up() -> bool:
        return True

    async def down() -> bool:
        raise ConnectionError("redis refused")

    services.readiness = {"redis": down, "sidecar": up}
    client = make_client(services)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"redis": False, "sidecar": True}
    services.readiness["redis"] = up
    assert client.get("/readyz").status_code == 200


class TracingProducts(FakeProducts):
    def __init__(self) -> None:
        super().__init__()
        self.traceparents: list[str | None] = []

    async def batch_get(self, ids: Sequence[str]) -> list[clients.Product]:
        self.traceparents.append(clients.current_traceparent.get())
        return await super().batch_get(ids)


@pytest.fixture
def traced(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> tuple[TestClient, TracingProducts]:
    products = TracingProducts()
    world.products = products
    return make_client(world.services()), products


def test_the_callers_trace_context_reaches_the_services(
    traced: tuple[TestClient, TracingProducts],
) -> None:
    client, products = traced

    client.post(
        "/graphql",
        json={"query": '{ product(id: "p1") { id } }'},
        headers={"traceparent": TRACEPARENT},
    )

    assert products.traceparents == [TRACEPARENT]


def test_a_request_without_trace_context_gets_a_fresh_one(
    traced: tuple[TestClient, TracingProducts],
) -> None:
    client, products = traced

    for _ in range(2):
        client.post(
            "/graphql",
            json={"query": '{ product(id: "p1") { id } }'},
            headers={"traceparent": "garbage"},
        )

    first, second = products.traceparents
    assert first and second and first != second
    assert first.startswith("00-") and len(first) == 55


def test_the_api_docs_are_not_served(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404


def test_prod_settings_need_the_sidecar_tokens() -> None:
    with pytest.raises(ValidationError, match="DAPR_API_TOKEN"):
        GatewaySettings(environment="prod")


def test_cors_is_off_unless_origins_are_configured(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> None:
    preflight = {
        "Origin": "https://shop.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    closed = make_client(world.services())
    settings = GatewaySettings(
        environment="test",
        cors_origins="https://shop.example",  # type: ignore[arg-type]
    )
    open_ = make_client(world.services(settings=settings))

    assert (
        "access-control-allow-origin"
        not in closed.options("/graphql", headers=preflight).headers
    )
    allowed = open_.options("/graphql", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
