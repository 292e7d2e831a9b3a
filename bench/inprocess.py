"""R2 in process: the gateway's CPU per request for `product(id)` and
`products(first: 10)` sent to the REST twin's routes, as a full GraphQL
document and as an automatic persisted query (hash only), with no mesh.

The gateway app is built on the unit tests' fakes (tests/unit/gateway) with a
rate limiter that always allows; the twin is bench/twin.py's two routes over
the same catalog and the same middleware. Every request goes through
httpx.ASGITransport, so client-side work is counted too (alike for all
forms). Prints the best of several rounds of CPU-ms per request; `--profile
FORM` (e.g. "product apq") writes a cProfile of that form to a file for
`python -m pstats`. Not part of `make bench`: a quick, quiet way to see what
a change to the GraphQL layer costs or saves.

    .venv/bin/python -m bench.inprocess [--requests 1500] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from bench.gqlclient import PRODUCT, PRODUCTS
from gateway import clients
from gateway.app import create_app
from gateway.middleware import RequestContextMiddleware
from gateway.ratelimit import Decision, Rule, identity_key
from gateway.services import GatewayServices
from tests.unit.gateway.fakes import World, auth_settings, fixed_services, offline_http

Send = Callable[[], Awaitable[httpx.Response]]


class AllowingLimiter:
    """The rate limiter's interface, always allowing (no Redis)."""

    async def hit(self, rule: Rule, identity: str, cost: int) -> Decision:
        return Decision(True, rule.burst, rule.burst - cost, 0.0, 1.0)


def twin_app(services: GatewayServices) -> FastAPI:
    """bench/twin.py's routes over these services."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.add_middleware(RequestContextMiddleware)
    rule = services.rules.graphql_queries
    limiter = services.limiter
    assert limiter is not None

    async def charge(request: Request) -> None:
        peer = request.client.host if request.client else "unknown"
        cost = services.settings.rate_limit_query_cost
        request.state.rate_limit = await limiter.hit(
            rule, identity_key(None, peer), cost
        )

    def as_json(data: dict[str, Any]) -> Response:
        return Response(json.dumps({"data": data}), media_type="application/json")

    @app.get("/rest/products/{product_id}")
    async def one(product_id: str, request: Request) -> Response:
        await charge(request)
        product = await services.catalog.product(
            product_id, lambda: services.products.get(product_id)
        )
        return as_json({"product": asdict(product)})

    @app.get("/rest/products")
    async def many(request: Request, first: int = 10) -> Response:
        await charge(request)
        everything = clients.ProductFilter()
        page = await services.catalog.products(
            everything, first, "", lambda: services.products.list(everything, first, "")
        )
        edges = [{"cursor": p.id, "node": asdict(p)} for p in page.items]
        info = {"hasNextPage": bool(page.next_token), "endCursor": page.next_token}
        return as_json({"products": {"edges": edges, "pageInfo": info}})

    return app


def apq_body(query: str, variables: dict[str, Any], with_document: bool) -> bytes:
    sha256 = hashlib.sha256(query.encode()).hexdigest()
    body: dict[str, Any] = {
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
    }
    if with_document:
        body["query"] = query
    return json.dumps(body).encode()


def forms(
    gateway: httpx.AsyncClient, twin: httpx.AsyncClient, pid: str
) -> dict[str, Send]:
    json_header = {"content-type": "application/json"}

    def post(body: bytes) -> Send:
        return lambda: gateway.post("/graphql", content=body, headers=json_header)

    one, many = {"id": pid}, {"first": 10}
    return {
        "product twin": lambda: twin.get(f"/rest/products/{pid}"),
        "product gql": post(json.dumps({"query": PRODUCT, "variables": one}).encode()),
        "product apq": post(apq_body(PRODUCT, one, with_document=False)),
        "products twin": lambda: twin.get("/rest/products?first=10"),
        "products gql": post(
            json.dumps({"query": PRODUCTS, "variables": many}).encode()
        ),
        "products apq": post(apq_body(PRODUCTS, many, with_document=False)),
    }


async def measure(requests: int, rounds: int, profile: str | None) -> None:
    world = World()
    ids = [world.products.add(f"product {i}", 100 + i) for i in range(12)]
    services = world.services(limiter=AllowingLimiter())  # type: ignore[arg-type]
    app = create_app(
        services.settings,
        auth_settings(),
        http=offline_http(),
        services_factory=fixed_services(services),
    )
    async with app.router.lifespan_context(app):
        gateway = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        )
        twin = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=twin_app(services)),
            base_url="http://twin",
        )
        for query, variables in ((PRODUCT, {"id": ids[0]}), (PRODUCTS, {"first": 10})):
            await gateway.post(
                "/graphql",
                content=apq_body(query, variables, with_document=True),
                headers={"content-type": "application/json"},
            )
        sends = forms(gateway, twin, ids[0])
        for name, send in sends.items():  # check, then warm
            answer = await send()
            if answer.status_code != 200 or "errors" in answer.json():
                raise SystemExit(f"{name}: {answer.status_code} {answer.text}")
            for _ in range(200):
                await send()
        best: dict[str, float] = {}
        for _ in range(rounds):
            for name, send in sends.items():
                started = time.process_time()
                for _ in range(requests):
                    await send()
                cpu_ms = (time.process_time() - started) * 1000 / requests
                best[name] = min(best.get(name, cpu_ms), cpu_ms)
        for name, cpu_ms in best.items():
            field = name.split()[0]
            added = cpu_ms - best[f"{field} twin"]
            print(
                f"{name:14s} {cpu_ms:.3f} CPU-ms/request  (+{added:.3f} over the twin)"
            )
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                await sends[profile]()
            profiler.disable()
            out = f"inprocess-{profile.replace(' ', '-')}.prof"
            profiler.dump_stats(out)
            print(f"profile of {profile!r}: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess")
    parser.add_argument("--requests", type=int, default=1500, help="per round and form")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", help='a form to cProfile, e.g. "product apq"')
    args = parser.parse_args()
    asyncio.run(measure(args.requests, args.rounds, args.profile))


if __name__ == "__main__":
    main()
