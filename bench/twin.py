"""The REST twin of R2: plain FastAPI JSON routes doing exactly the gateway's
backend work for a product read, without GraphQL.

It is built from the gateway's own parts: the same catalog (near cache kept
coherent over the same Redis channel, then the read-through cache on the
`cache` state store over the sidecar's gRPC API), the same gRPC product client
on one long-lived channel to the gateway's sidecar (`gateway.clients`, Dapr
gRPC proxying), the same uvicorn settings (uvloop, httptools, no access log).
It also does the gateway's per-request work that is not GraphQL: the same
request-context middleware (trace id, access log, rate-limit headers) and the
same rate-limit charge in Redis per request. So what differs from the gateway
is what R2 prices: the GraphQL layer (strawberry's HTTP view, parsing and
validation caches, execution, the context dependency) and the bearer-token
check, which finds no token here.

    python -m bench.twin --port 22090 --sidecar-grpc 127.0.0.1:19001 \
        --redis-url redis://127.0.0.1:16379/0
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from redis.asyncio import Redis

from gateway import clients
from gateway.cache import (
    GrpcStateStore,
    NearCache,
    ProductCatalog,
    ReadThroughCache,
    invalidation_listener,
)
from gateway.config import GatewaySettings
from gateway.middleware import RequestContextMiddleware
from gateway.ratelimit import RateLimiter, identity_key
from gateway.services import RateRules

STORE = "cache"
TTL_SECONDS = 60
TIMEOUT_S = 5.0


def build(sidecar_grpc: str, redis_url: str, api_token: str) -> FastAPI:
    parts: dict[str, Any] = {}
    defaults = GatewaySettings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        channel = clients.sidecar_channel(sidecar_grpc)
        redis = Redis.from_url(redis_url)
        cache = ReadThroughCache(
            GrpcStateStore(channel, STORE, api_token, timeout=2.0),
            ttl_seconds=TTL_SECONDS,
        )
        near = NearCache(
            defaults.cache_near_ttl_seconds, defaults.cache_near_max_entries
        )
        catalog = ProductCatalog(cache, near)
        listener = invalidation_listener(redis, defaults.catalog_channel, catalog, near)
        listener.start()
        parts["catalog"] = catalog
        parts["limiter"] = RateLimiter(redis)
        parts["products"] = clients.GrpcProductClient(
            channel, clients.Invocation("product", api_token, TIMEOUT_S)
        )
        yield
        await listener.stop()
        await cache.close()
        await channel.close(grace=1.0)
        await redis.aclose()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.add_middleware(RequestContextMiddleware)
    rule = RateRules.from_settings(defaults).graphql_queries

    async def charge(request: Request) -> None:
        peer = request.client.host if request.client else "unknown"
        decision = await parts["limiter"].hit(
            rule, identity_key(None, peer), defaults.rate_limit_query_cost
        )
        request.state.rate_limit = decision

    def as_json(data: dict[str, Any]) -> Response:
        return Response(json.dumps({"data": data}), media_type="application/json")

    @app.get("/rest/products/{product_id}")
    async def one(product_id: str, request: Request) -> Response:
        await charge(request)
        products = parts["products"]
        product = await parts["catalog"].product(
            product_id, lambda: products.get(product_id)
        )
        return as_json({"product": asdict(product)})

    @app.get("/rest/products")
    async def many(request: Request, first: int = 10) -> Response:
        await charge(request)
        products, everything = parts["products"], clients.ProductFilter()
        page = await parts["catalog"].products(
            everything, first, "", lambda: products.list(everything, first, "")
        )
        return as_json(
            {
                "products": {
                    "edges": [{"cursor": p.id, "node": asdict(p)} for p in page.items],
                    "pageInfo": {
                        "hasNextPage": bool(page.next_token),
                        "endCursor": page.next_token or None,
                    },
                }
            }
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.twin")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sidecar-grpc", required=True, help="host:port")
    parser.add_argument("--redis-url", required=True, help="redis://host:port/db")
    args = parser.parse_args()
    app = build(args.sidecar_grpc, args.redis_url, os.environ["DAPR_API_TOKEN"])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        server_header=False,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
