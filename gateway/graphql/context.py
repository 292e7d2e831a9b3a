"""The per-request context of every resolver, and how a request gets one.

`graphql_caller` (awaited by `get_context`) runs before any GraphQL work: it caps
the body, verifies the bearer token (a bad one is an HTTP 401, not a GraphQL
200), and charges the caller's rate-limit bucket. `get_context` then builds
a `GatewayContext` with fresh DataLoaders. Websocket connections skip both:
they authenticate with the `connection_init` payload (see gateway.graphql.schema).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.requests import HTTPConnection
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from gateway import clients
from gateway.auth import (
    AuthHTTPError,
    Principal,
    TokenVerifier,
    authenticate,
    bearer_token,
)
from gateway.cache import ProductCatalog
from gateway.config import GatewaySettings
from gateway.fanout import OrderStatusFanout
from gateway.graphql.errors import Unauthenticated
from gateway.graphql.orders.loaders import order_loader
from gateway.graphql.products.loaders import product_loader
from gateway.graphql.users.loaders import user_loader
from gateway.ratelimit import (
    Decision,
    RateLimiter,
    RateLimitExceeded,
    Rule,
    client_address,
    graphql_cost,
    graphql_limited_body,
    identity_key,
)


class SubjectIds:
    """subject -> user id, remembered in-process for a while (the mapping does
    not change; the TTL only bounds how long a wiped user database goes unseen)."""

    def __init__(
        self,
        capacity: int = 10_000,
        ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ids: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._clock = clock

    def get(self, subject: str) -> str | None:
        entry = self._ids.get(subject)
        if entry is None:
            return None
        user_id, expires = entry
        if expires <= self._clock():
            del self._ids[subject]
            return None
        self._ids.move_to_end(subject)
        return user_id

    def put(self, subject: str, user_id: str) -> None:
        self._ids[subject] = (user_id, self._clock() + self._ttl)
        self._ids.move_to_end(subject)
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


@dataclass
class RateRules:
    graphql_queries: Rule
    graphql_mutations: Rule
    auth: Rule

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> RateRules:
        def graphql(fail_open: bool) -> Rule:
            # One bucket for queries and mutations; only the failure mode differs.
            return Rule(
                "graphql",
                settings.rate_limit_graphql_per_minute,
                settings.rate_limit_graphql_burst,
                fail_open,
            )

        return cls(
            graphql_queries=graphql(fail_open=True),
            graphql_mutations=graphql(fail_open=False),
            auth=Rule(
                "auth",
                settings.rate_limit_auth_per_minute,
                settings.rate_limit_auth_burst,
                fail_open=False,
            ),
        )


@dataclass
class GatewayServices:
    """Everything a request may use; built once per process by gateway.app."""

    settings: GatewaySettings
    users: clients.UserClient
    products: clients.ProductClient
    orders: clients.OrderClient
    catalog: ProductCatalog
    fanout: OrderStatusFanout
    verifier: TokenVerifier
    limiter: RateLimiter | None
    rules: RateRules
    subject_ids: SubjectIds = field(default_factory=SubjectIds)
    # name -> async check, for /readyz
    readiness: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)


class Loaders:
    """Made per request (never shared between callers): each batches one kind
    of read per tick of the event loop and remembers what it loaded."""

    def __init__(self, services: GatewayServices) -> None:
        self.products = product_loader(services.products)
        self.users = user_loader(services.users)
        self.orders = order_loader(services.orders)


class GatewayContext(BaseContext):
    def __init__(
        self, services: GatewayServices, principal: Principal | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.principal = principal
        self.loaders = Loaders(services)
        self._user: asyncio.Task[clients.User] | None = None

    @property
    def settings(self) -> GatewaySettings:
        return self.services.settings

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated()
        return self.principal

    def has(self, permission: str) -> bool:
        return self.principal is not None and self.principal.has(permission)

    async def current_user(self) -> clients.User:
        """The caller's user, created on first sight (once per request)."""
        principal = self.require_principal()
        if self._user is None:
            self._user = asyncio.ensure_future(
                self.services.users.get_or_create(
                    principal.subject, principal.email or "", principal.name or ""
                )
            )
        user = await asyncio.shield(self._user)
        self.services.subject_ids.put(principal.subject, user.id)
        return user

    async def user_id(self) -> str:
        principal = self.require_principal()
        known = self.services.subject_ids.get(principal.subject)
        if known is not None:
            return known
        return (await self.current_user()).id


GatewayInfo = Info[GatewayContext, None]


# --- FastAPI dependencies ----------------------------------------------------------


def services_of(connection: HTTPConnection) -> GatewayServices:
    services = getattr(connection.app.state, "services", None)
    if not isinstance(services, GatewayServices):
        raise RuntimeError("app.state.services is not set (see gateway.app)")
    return services


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


async def read_capped_body(request: Request, limit: int) -> bytes:
    """The body (cached on the request for strawberry), refusing oversized ones."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette's cache: later reads get these bytes
    return body


def _graphql_payload(request: Request, body: bytes) -> object:
    if request.method == "GET":
        return dict(request.query_params)
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


async def charge(
    services: GatewayServices,
    request: HTTPConnection,
    rule: Rule,
    identity: str,
    cost: int,
    limited_body: Callable[[Decision], dict[str, Any]] = graphql_limited_body,
) -> Decision | None:
    """Take from the bucket; raises RateLimitExceeded / RateLimiterDown."""
    if services.limiter is None:
        return None
    decision = await services.limiter.hit(rule, identity, cost)
    if decision is None:
        return None
    request.state.rate_limit = decision  # headers added by the app's middleware
    if not decision.allowed:
        raise RateLimitExceeded(decision, limited_body(decision))
    return decision


def peer_address(connection: HTTPConnection, services: GatewayServices) -> str:
    return client_address(
        connection.client.host if connection.client else None,
        connection.headers.get("x-forwarded-for"),
        services.settings.trusted_proxies,
    )


async def graphql_caller(request: HTTPConnection) -> Principal | None:
    """Who is calling /graphql over HTTP, after auth and rate limiting."""
    if request.scope["type"] != "http":
        return None  # websockets authenticate at connection_init
    assert isinstance(request, Request)
    services = services_of(request)
    settings = services.settings
    rules = services.rules
    body = await read_capped_body(request, settings.graphql_max_body_bytes)
    address = peer_address(request, services)
    try:
        principal = await authenticate(bearer_token(request), services.verifier)
    except AuthHTTPError as err:
        if err.status_code == 401:
            # Bad tokens still cost the address, so guessing is rate limited too.
            await charge(
                services,
                request,
                rules.graphql_queries,
                identity_key(None, address),
                settings.rate_limit_query_cost,
            )
        raise
    cost, mutation = graphql_cost(
        _graphql_payload(request, body),
        settings.rate_limit_query_cost,
        settings.rate_limit_mutation_cost,
        settings.graphql_max_tokens,
    )
    await charge(
        services,
        request,
        rules.graphql_mutations if mutation else rules.graphql_queries,
        identity_key(principal.subject if principal else None, address),
        cost,
    )
    return principal


async def get_context(connection: HTTPConnection) -> GatewayContext:
    # graphql_caller is awaited here rather than declared as a FastAPI
    # dependency: one level less of dependency solving on every request.
    return GatewayContext(services_of(connection), await graphql_caller(connection))
