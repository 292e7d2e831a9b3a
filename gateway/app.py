"""Composition root of the gateway: the FastAPI app and what it runs on.

Per process: one httpx.AsyncClient (OIDC, sidecar health), one grpc.aio
channel to the sidecar (user, product, order, and the `cache` state store),
one redis.asyncio client (rate limits, the order-status fan-out, near-cache
invalidations), created by the lifespan and closed by it. Routes:

- `/auth/*`      OIDC login (gateway.auth), behind the stricter `auth` rate limit
- `/graphql`     GraphQL over HTTP and graphql-transport-ws (gateway.graphql)
- `/healthz`     the process is alive; `/readyz` Redis and the sidecar answer
- `/dapr/subscribe`, `/events/pubsub/*`   Dapr subscriptions (gateway.subscriptions)
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from dapr.ext.fastapi import DaprApp
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import gcpolicy, logs
from gateway import clients, graphiql
from gateway.auth import (
    AUTH_PREFIX,
    AuthHTTPError,
    AuthSettings,
    TokenVerifier,
    auth_error_handler,
    build_auth_router,
    build_auth_services,
)
from gateway.cache import (
    GrpcStateStore,
    NearCache,
    ProductCatalog,
    ReadThroughCache,
    invalidation_listener,
)
from gateway.config import GatewaySettings
from gateway.fanout import OrderStatusFanout
from gateway.graphql.context import (
    BodyTooLarge,
    GatewayServices,
    RateRules,
    charge,
    get_context,
    peer_address,
    services_of,
)
from gateway.graphql.router import build_router
from gateway.graphql.schema import SchemaLimits, build_schema
from gateway.ratelimit import (
    RateLimiter,
    RateLimiterDown,
    RateLimitExceeded,
    identity_key,
    oauth_limited_body,
)
from gateway.subscriptions import EventHandlers, register

log = logging.getLogger(__name__)

ServicesFactory = Callable[
    [GatewaySettings, httpx.AsyncClient, TokenVerifier],
    AbstractAsyncContextManager[GatewayServices],
]
ReadinessCheck = Callable[[], Awaitable[bool]]

GRAPHQL_PATH = "/graphql"
_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


# --- what a request runs on --------------------------------------------------------


@asynccontextmanager
async def grpc_and_redis_services(
    settings: GatewaySettings, http: httpx.AsyncClient, verifier: TokenVerifier
) -> AsyncIterator[GatewayServices]:
    """The real services: the sidecar (gRPC proxying, state API) and Redis."""
    channel = clients.sidecar_channel(settings.sidecar_grpc_address)
    redis = Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        health_check_interval=30,
    )
    token = settings.dapr_token()

    def invocation(app_id: str) -> clients.Invocation:
        return clients.Invocation(app_id, token, settings.call_timeout)

    cache = ReadThroughCache(
        GrpcStateStore(
            channel,
            settings.cache_store,
            token,
            timeout=min(settings.call_timeout, 2.0),
        ),
        ttl_seconds=settings.cache_ttl_seconds,
        lock_seconds=settings.cache_lock_seconds,
    )
    near = NearCache(settings.cache_near_ttl_seconds, settings.cache_near_max_entries)

    async def broadcast(product_id: str) -> None:
        await redis.publish(settings.catalog_channel, product_id)

    catalog = ProductCatalog(cache, near, broadcast)
    invalidations = invalidation_listener(
        redis, settings.catalog_channel, catalog, near
    )
    fanout = OrderStatusFanout(redis, settings.order_status_channel)

    async def redis_ready() -> bool:
        return bool(await redis.ping())

    async def sidecar_ready() -> bool:
        # /healthz/outbound: the sidecar can serve our calls (its /healthz also
        # waits for this app, which would make our readiness circular).
        response = await http.get(
            f"{settings.sidecar_http_url}/v1.0/healthz/outbound", timeout=2.0
        )
        return response.status_code < 300

    async def fanout_ready() -> bool:
        return fanout.listening

    async def invalidations_ready() -> bool:
        return invalidations.listening

    services = GatewayServices(
        settings=settings,
        users=clients.GrpcUserClient(channel, invocation(settings.user_app_id)),
        products=clients.GrpcProductClient(
            channel, invocation(settings.product_app_id)
        ),
        orders=clients.GrpcOrderClient(channel, invocation(settings.order_app_id)),
        catalog=catalog,
        fanout=fanout,
        verifier=verifier,
        limiter=RateLimiter(redis),
        rules=RateRules.from_settings(settings),
        readiness={
            "redis": redis_ready,
            "sidecar": sidecar_ready,
            "fanout": fanout_ready,
            "cache-invalidations": invalidations_ready,
        },
    )
    fanout.start()
    invalidations.start()
    try:
        yield services
    finally:
        await invalidations.stop()
        await fanout.stop()
        await cache.close()
        await channel.close(grace=2.0)
        await redis.aclose()


# --- cross-cutting: trace ids, access log, rate-limit headers -----------------------


class RequestContextMiddleware:
    """Sets the trace id (from `traceparent`, or a new one) for logs and outbound
    calls, adds the RateLimit-* headers a limiter decided, logs each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        traceparent = headers.get(b"traceparent", b"").decode("latin-1").strip()
        if not _TRACEPARENT.match(traceparent):
            traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"
        trace_token = logs.trace_id.set(logs.trace_id_from_traceparent(traceparent))
        parent_token = clients.current_traceparent.set(traceparent)
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                decision = state.get("rate_limit")
                if decision is not None:
                    present = {k.lower() for k, _ in message.get("headers", [])}
                    extra = [
                        (name.lower().encode(), value.encode())
                        for name, value in decision.headers().items()
                        if name.lower().encode() not in present
                    ]
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            path = scope.get("path", "")
            level = logging.DEBUG if path in ("/healthz", "/readyz") else logging.INFO
            log.log(
                level,
                "%s %s %s %.1f ms",
                scope.get("method", "WS"),
                path,
                status or "-",
                (time.perf_counter() - started) * 1000,
            )
            clients.current_traceparent.reset(parent_token)
            logs.trace_id.reset(trace_token)


# --- error answers -------------------------------------------------------------------


def _graphql_error(
    message: str, code: str, status: int, **headers: str
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers or None,
    )


async def rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitExceeded)
    return JSONResponse(exc.body, status_code=429, headers=exc.decision.headers())


async def limiter_down(request: Request, exc: Exception) -> JSONResponse:
    if request.url.path.startswith(AUTH_PREFIX):
        return JSONResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": "try again shortly",
            },
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return _graphql_error(
        "Temporarily unavailable; try again shortly.",
        "UNAVAILABLE",
        503,
        **{"Retry-After": "5"},
    )


async def body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return _graphql_error(
        f"The request body is larger than {exc.limit} bytes.", "PAYLOAD_TOO_LARGE", 413
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


# --- the app -------------------------------------------------------------------------


def create_app(
    settings: GatewaySettings | None = None,
    auth_settings: AuthSettings | None = None,
    *,
    http: httpx.AsyncClient | None = None,
    services_factory: ServicesFactory = grpc_and_redis_services,
) -> FastAPI:
    settings = settings or GatewaySettings()
    auth_settings = auth_settings or AuthSettings()
    http = http or httpx.AsyncClient(
        timeout=httpx.Timeout(5.0),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
    )
    auth = build_auth_services(http, auth_settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with services_factory(settings, http, auth.verifier) as services:
                app.state.services = services
                gcpolicy.freeze_startup_heap()
                log.info("gateway ready on 127.0.0.1:%s", settings.app_port)
                yield
        finally:
            await http.aclose()

    app = FastAPI(
        title="daprshop gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.token_verifier = auth.verifier
    app.add_exception_handler(AuthHTTPError, auth_error_handler)
    app.add_exception_handler(RateLimitExceeded, rate_limited)
    app.add_exception_handler(RateLimiterDown, limiter_down)
    app.add_exception_handler(BodyTooLarge, body_too_large)

    app.include_router(
        build_auth_router(auth.verifier, auth.oidc, auth_settings),
        prefix=AUTH_PREFIX,
        dependencies=[Depends(auth_rate_limit)],
    )
    schema = build_schema(
        SchemaLimits(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_tokens=settings.graphql_max_tokens,
            introspection=not settings.is_prod,
        )
    )
    local_ide = not settings.is_prod and graphiql.usable(settings.graphiql_assets)
    if local_ide:
        app.mount(
            graphiql.ASSETS_PATH,
            StaticFiles(directory=str(settings.graphiql_assets)),
            name="graphiql",
        )
    app.include_router(
        build_router(
            schema, get_context, graphiql=not settings.is_prod, local_ide=local_ide
        ),
        prefix=GRAPHQL_PATH,
    )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks = services_of(request).readiness
        names = list(checks)
        outcomes = await asyncio.gather(*(_safe(checks[name]) for name in names))
        results = dict(zip(names, outcomes, strict=True))
        return JSONResponse(results, status_code=200 if all(outcomes) else 503)

    register(
        DaprApp(app, router_tags=["dapr"]),
        EventHandlers(
            catalog=lambda: services_of_app(app).catalog,
            fanout=lambda: services_of_app(app).fanout,
        ),
        settings.app_token(),
        settings.pubsub_name,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "traceparent"],
            expose_headers=[
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware)
    return app


def services_of_app(app: FastAPI) -> GatewayServices:
    services: GatewayServices = app.state.services
    return services


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout=2.0)
    except (RedisError, httpx.HTTPError, OSError, TimeoutError) as err:
        log.info("not ready: %r", err)
        return False
    except Exception:
        log.exception("readiness check failed")
        return False
