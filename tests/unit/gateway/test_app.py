"""The app shell: health, readiness, trace context, settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from common import tracing
from gateway import clients
from gateway.config import GatewaySettings
from gateway.services import GatewayServices
from tests.unit.gateway.fake_products import FakeProducts
from tests.unit.gateway.fakes import World

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
        self.traceparents.append(tracing.current_traceparent())
        return await super().batch_get(ids)


@pytest.fixture
def traced(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> tuple[TestClient, TracingProducts]:
    products = TracingProducts()
    world.products = products
    return make_client(world.services()), products


def test_the_callers_trace_continues_to_the_services_and_back(
    traced: tuple[TestClient, TracingProducts],
) -> None:
    client, products = traced

    response = client.post(
        "/graphql",
        json={"query": '{ product(id: "p1") { id } }'},
        headers={"traceparent": TRACEPARENT},
    )

    (seen,) = products.traceparents
    context = tracing.parse_traceparent(seen)
    assert context is not None and context.sampled
    assert context.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert context.span_id != "00f067aa0ba902b7"  # the gateway's own span
    assert response.json()["extensions"] == {"traceId": context.trace_id}


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # bad version
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
    ],
)
def test_a_malformed_traceparent_starts_a_new_sampled_trace(
    traced: tuple[TestClient, TracingProducts], header: str
) -> None:
    client, products = traced

    responses = [
        client.post(
            "/graphql",
            json={"query": '{ product(id: "p1") { id } }'},
            headers={"traceparent": header},
        )
        for _ in range(2)
    ]

    assert all(r.status_code == 200 and "errors" not in r.json() for r in responses)
    first, second = (tracing.parse_traceparent(t) for t in products.traceparents)
    assert first is not None and second is not None
    assert first.trace_id != second.trace_id and first.sampled
    assert "4bf92f3577b34da6a3ce929d0e0e4736" not in (first.trace_id, second.trace_id)
    assert responses[0].json()["extensions"]["traceId"] == first.trace_id


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
