"""What a request pays before it is served: the body cap and the rate-limit
charge (the bucket decision is left on `request.state.rate_limit` for the
RateLimit-* headers), and the `/auth` bucket as a FastAPI dependency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.requests import HTTPConnection

from gateway.ratelimit import (
    Decision,
    RateLimitExceeded,
    Rule,
    client_address,
    graphql_limited_body,
    identity_key,
    oauth_limited_body,
)
from gateway.services import GatewayServices, services_of


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
    request.state.rate_limit = decision  # headers added by gateway.middleware
    if not decision.allowed:
        raise RateLimitExceeded(decision, limited_body(decision))
    return decision


def peer_address(connection: HTTPConnection, services: GatewayServices) -> str:
    return client_address(
        connection.client.host if connection.client else None,
        connection.headers.get("x-forwarded-for"),
        services.settings.trusted_proxies,
    )


async def auth_rate_limit(request: Request) -> None:
    """The /auth bucket, keyed on the client address (login is anonymous)."""
    services = services_of(request)
    address = peer_address(request, services)
    await charge(
        services,
        request,
        services.rules.auth,
        identity_key(None, address),
        1,
        oauth_limited_body,
    )
