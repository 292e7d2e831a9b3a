"""The real services a gateway process runs on: one grpc.aio channel to the
sidecar (user, product, order, cart, and the `cache` state store) and one
redis.asyncio client (rate limits, the order-status fan-out, near-cache
invalidations), opened when the app starts and closed when it stops. Where
Redis has a password (prod-local, prod), it is read from the secret store
through the sidecar first (REDIS_PASSWORD_SECRET, common/app_secrets.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from redis.asyncio import Redis

from common import app_secrets, sidecar
from gateway import clients
from gateway.auth import TokenVerifier
from gateway.cache import (
    GrpcStateStore,
    NearCache,
    ProductCatalog,
    ReadThroughCache,
    invalidation_listener,
)
from gateway.config import GatewaySettings
from gateway.fanout import OrderStatusFanout
from gateway.graphql.persisted import PersistedQueries
from gateway.ratelimit import RateLimiter
from gateway.services import GatewayServices, RateRules

ServicesFactory = Callable[
    [GatewaySettings, httpx.AsyncClient, TokenVerifier],
    AbstractAsyncContextManager[GatewayServices],
]


async def redis_password(settings: GatewaySettings) -> str | None:
    """Redis's password, read from the secret store through our sidecar (in a
    thread: the read waits while the sidecar starts); None where Redis has
    none (no REDIS_PASSWORD_SECRET)."""
    if not settings.redis_password_secret:
        return None

    def read() -> str:
        with sidecar.make_client(settings) as dapr:
            return app_secrets.read_secret(
                dapr,
                settings.secret_store,
                settings.redis_password_secret,
                settings.redis_password_key,
            )

    return await asyncio.to_thread(read)


@asynccontextmanager
async def grpc_and_redis_services(
    settings: GatewaySettings, http: httpx.AsyncClient, verifier: TokenVerifier
) -> AsyncIterator[GatewayServices]:
    """The real services: the sidecar (gRPC proxying, state API) and Redis."""
    password = await redis_password(settings)
    channel = clients.sidecar_channel(settings.sidecar_grpc_address)
    # A password in REDIS_URL would win over `password` (there is none where
    # REDIS_PASSWORD_SECRET is set: the launcher and the overlays see to it).
    redis = Redis.from_url(
        settings.redis_url,
        password=password,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        health_check_interval=30,
    )
    token = settings.dapr_token()

    def invocation(app_id: str) -> clients.Invocation:
        return clients.Invocation(app_id, token, settings.call_timeout)

    store = GrpcStateStore(
        channel, settings.cache_store, token, timeout=min(settings.call_timeout, 2.0)
    )
    cache = ReadThroughCache(
        store,
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
        carts=clients.GrpcCartClient(channel, invocation(settings.cart_app_id)),
        catalog=catalog,
        fanout=fanout,
        verifier=verifier,
        limiter=RateLimiter(redis),
        rules=RateRules.from_settings(settings),
        persisted=PersistedQueries(
            store,
            settings.graphql_persisted_max_entries,
            settings.graphql_persisted_ttl_seconds,
        ),
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
