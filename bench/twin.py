"""The REST twin of R2: plain FastAPI JSON routes doing exactly the gateway's
backend work for a product read, without GraphQL.

It is built from the gateway's own parts: the same read-through cache on the
`cache` state store (`gateway.cache`, over the sidecar's HTTP API), the same
gRPC product client on one long-lived channel to the gateway's sidecar
(`gateway.clients`, Dapr gRPC proxying), the same uvicorn settings (uvloop,
httptools, no access log). What differs from the gateway is what R2 prices:
the GraphQL layer, and the gateway's per-request middleware (auth, rate limit).

    python -m bench.twin --port 22090 --sidecar-grpc 127.0.0.1:19001 \
        --sidecar-http http://127.0.0.1:17500
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Response

from gateway import clients
from gateway.cache import DaprStateStore, ProductCatalog, ReadThroughCache

STORE = "cache"
TTL_SECONDS = 60
TIMEOUT_S = 5.0


def build(sidecar_grpc: str, sidecar_http: str, api_token: str) -> FastAPI:
    parts: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        http = httpx.AsyncClient(
            timeout=httpx.Timeout(TIMEOUT_S),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )
        channel = clients.sidecar_channel(sidecar_grpc)
        cache = ReadThroughCache(
            DaprStateStore(http, sidecar_http, STORE, api_token, timeout=2.0),
            ttl_seconds=TTL_SECONDS,
        )
        parts["catalog"] = ProductCatalog(cache)
        parts["products"] = clients.GrpcProductClient(
            channel, clients.Invocation("product", api_token, TIMEOUT_S)
        )
        yield
        await cache.close()
        await channel.close(grace=1.0)
        await http.aclose()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    def as_json(data: dict[str, Any]) -> Response:
        return Response(json.dumps({"data": data}), media_type="application/json")

    @app.get("/rest/products/{product_id}")
    async def one(product_id: str) -> Response:
        products = parts["products"]
        product = await parts["catalog"].product(
            product_id, lambda: products.get(product_id)
        )
        return as_json({"product": asdict(product)})

    @app.get("/rest/products")
    async def many(first: int = 10) -> Response:
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
    parser.add_argument("--sidecar-http", required=True, help="http://host:port")
    args = parser.parse_args()
    app = build(args.sidecar_grpc, args.sidecar_http, os.environ["DAPR_API_TOKEN"])
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
