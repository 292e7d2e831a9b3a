"""In-memory stand-ins for what the gateway talks to: the services (one module
each: fake_users, fake_products, fake_orders, cart_fakes), the Dapr state store
and the Redis fan-out (fake_infra), the token verifier, and the World that
wires them into a gateway app for a test. They behave like the real ones
where the gateway depends on it (ownership -> NOT_FOUND, unknown ids absent
from batch reads, first-write inserts, ...) and count their calls."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.auth import AuthSettings
from gateway.auth.tokens import InvalidToken
from gateway.cache import NearCache, ProductCatalog, ReadThroughCache
from gateway.config import GatewaySettings
from gateway.graphql.context import GatewayServices, RateRules
from gateway.graphql.persisted import PersistedQueries
from gateway.ratelimit import RateLimiter
from tests.unit.gateway.cart_fakes import FakeCarts
from tests.unit.gateway.fake_infra import FakeStateStore, LocalFanout
from tests.unit.gateway.fake_orders import FakeOrders
from tests.unit.gateway.fake_products import FakeProducts
from tests.unit.gateway.fake_users import FakeUsers

ISSUER = "https://idp.test/shop"


def claims(subject: str, *permissions: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": subject,
        "iss": ISSUER,
        "aud": "daprshop-api",
        "iat": now,
        "exp": now + 300,
        "email": f"{subject}@shop.test",
        "name": subject.title(),
        "permissions": list(permissions),
        **extra,
    }


class FakeVerifier:
    """Accepts exactly the tokens it was given (token -> claims)."""

    def __init__(self, tokens: dict[str, dict[str, Any]] | None = None) -> None:
        self.tokens = tokens or {}

    async def verify_access_token(self, token: str) -> dict[str, Any]:
        if token not in self.tokens:
            raise InvalidToken("signature verification failed")
        return self.tokens[token]


class World:
    """One set of fakes, and the services a gateway process builds on them."""

    def __init__(self, settings: GatewaySettings | None = None) -> None:
        self.settings = settings or GatewaySettings(environment="test")
        self.users = FakeUsers()
        self.products = FakeProducts()
        self.orders = FakeOrders(self.products)
        self.carts = FakeCarts(self.products)
        self.store = FakeStateStore()
        self.verifier = FakeVerifier()
        self.bus: list[LocalFanout] = []
        # Every "process"'s catalog, for the near-cache invalidation broadcast.
        self.catalogs: list[ProductCatalog] = []

    async def broadcast(self, product_id: str) -> None:
        for catalog in self.catalogs:
            catalog.forget_near(product_id)

    def token(self, subject: str, *permissions: str) -> str:
        token = f"token-{subject}-{'-'.join(permissions)}"
        self.verifier.tokens[token] = claims(subject, *permissions)
        return token

    def services(
        self,
        limiter: RateLimiter | None = None,
        settings: GatewaySettings | None = None,
    ) -> GatewayServices:
        settings = settings or self.settings
        cache = ReadThroughCache(self.store, ttl_seconds=60, lock_seconds=1)
        near = NearCache(ttl_seconds=settings.cache_near_ttl_seconds)
        near.connected()
        catalog = ProductCatalog(cache, near, self.broadcast)
        self.catalogs.append(catalog)
        return GatewayServices(
            settings=settings,
            users=self.users,
            products=self.products,
            orders=self.orders,
            carts=self.carts,
            catalog=catalog,
            fanout=LocalFanout(self.bus),
            verifier=self.verifier,
            limiter=limiter,
            rules=RateRules.from_settings(settings),
            persisted=PersistedQueries(self.store),
        )


def fixed_services(
    services: GatewayServices,
) -> Callable[..., Any]:
    @asynccontextmanager
    async def factory(*_: Any) -> AsyncIterator[GatewayServices]:
        yield services

    return factory


def offline_http() -> httpx.AsyncClient:
    """For gateway.auth: nothing is fetched unless /auth routes are called."""
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503))
    )


def auth_settings() -> AuthSettings:
    return AuthSettings(
        environment="test",
        oidc_issuer=ISSUER,
        oidc_client_secret="test-secret-not-default",  # type: ignore[arg-type]
    )


def app_client(services: GatewayServices) -> TestClient:
    app = create_app(
        services.settings,
        auth_settings(),
        http=offline_http(),
        services_factory=fixed_services(services),
    )
    return TestClient(app, raise_server_exceptions=False)


class GraphQL:
    """POST /graphql with an optional bearer token; returns the parsed body,
    less the trace id every answer carries (`extensions.traceId`, checked here
    once for all)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        expect: int = 200,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        extensions = body.pop("extensions", None)
        if "data" in body:  # executed (refusals before GraphQL have no trace id)
            assert extensions is not None and len(extensions["traceId"]) == 32, body
        return body


def prod_settings() -> GatewaySettings:
    return GatewaySettings(
        environment="prod", dapr_api_token="x" * 32, app_api_token="y" * 32
    )  # type: ignore[arg-type]
