"""R2 and R3: product reads through the gateway.

R2 prices the GraphQL layer: `product(id)` and `products` through the gateway
against the REST twin (bench/twin.py), a plain FastAPI route doing the same
backend work through the same sidecar and Redis (the same catalog: near cache,
the `cache` store, the product service on a miss) plus the same non-GraphQL
per-request work (request-context middleware, one rate-limit charge). Both
are measured warm, so both answer from the cache.

R3 prices the cache: `product(id)` for one hot product (cached) against
`product(id)` for products never asked before (uncached: miss, backend call,
fill) and against `{ __typename }`, which the gateway answers alone (floor).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx

from bench import gqlclient, loadgen
from bench.harness import (
    Context,
    Side,
    alternate,
    busy_note,
    describe,
    settle,
    unavailable_rows,
)
from bench.invocation import create_products
from bench.report import TIMES, Row, at_least, at_most
from bench.stats import ratio
from devmesh import trust
from devmesh.paths import REPO
from devmesh.ports import load

RATE = 100
# R3 runs slower: a cache miss costs the gateway far more CPU than a hit, and
# the uncached side must not saturate the machine (latency runs stay < 70 %).
CACHE_RATE = 30
# Who works on a new product's events (cache invalidation) and its storage.
FIXTURE_WORKERS = ("gateway", "gateway-daprd", "product", "product-daprd", "ferretdb")

LAYER_TEMPLATES = (
    Row(
        "R2",
        f"GraphQL added CPU, product(id) @{RATE} rps",
        None,
        "CPU-ms",
        at_most(0.5),
    ),
    Row("R2", f"GraphQL added p50, product(id) @{RATE} rps", None, "ms", at_most(1.0)),
    Row("R2", f"GraphQL added CPU, products @{RATE} rps", None, "CPU-ms", at_most(0.5)),
    Row("R2", f"GraphQL added p50, products @{RATE} rps", None, "ms", at_most(1.0)),
)
CACHE_TEMPLATES = (
    Row(
        "R3",
        f"cached p50 - in-gateway floor p50 @{CACHE_RATE} rps",
        None,
        "ms",
        at_most(0.8),
    ),
    Row("R3", "uncached p50 ÷ cached p50", None, TIMES, at_least(2.0)),
    Row("R3", "gateway CPU per cached read", None, "CPU-ms"),
)


def gateway_http_missing(ctx: Context) -> str:
    """Why a GraphQL load against the gateway cannot run ("" when it can)."""
    if not ctx.stack.has("gateway", "product"):
        return ctx.stack.why_not("gateway", "product")
    try:
        loadgen.vegeta_binary()
    except loadgen.ToolMissing as err:
        return str(err)
    return ""


def _vegeta_side(
    ctx: Context,
    name: str,
    targets: Iterator[loadgen.HttpTarget] | list[loadgen.HttpTarget],
    field: str,
    processes: tuple[str, ...],
) -> Side:
    def run(rps: float, seconds: float) -> loadgen.Block:
        if isinstance(targets, list):
            chosen = targets
        else:
            chosen = [next(targets) for _ in range(max(1, round(rps * seconds)))]
        return loadgen.vegeta(
            label=name,
            targets=chosen,
            rps=rps,
            duration_s=seconds,
            workdir=ctx.workdir,
            ok=gqlclient.answered(field),
        )

    return Side(name, run, processes)


# --- R2 ---------------------------------------------------------------------------


class Twin:
    """The REST twin as a process of its own, charged like the gateway."""

    def __init__(self, ctx: Context) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        gateway = load().apps["gateway"]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.twin",
                "--port",
                str(self.port),
                "--sidecar-grpc",
                f"127.0.0.1:{gateway.grpc}",
                "--redis-url",
                f"redis://127.0.0.1:{load().redis}/0",
            ],
            cwd=REPO,
            env={**os.environ, "DAPR_API_TOKEN": trust.api_tokens()["gateway"].dapr},
            stdout=(ctx.workdir / "twin.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url("/healthz"), timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the REST twin did not start") from None
                time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def run_layer(ctx: Context) -> list[Row]:
    why = gateway_http_missing(ctx)
    if why:
        return unavailable_rows(LAYER_TEMPLATES, why)
    (raw_id,) = create_products(ctx, 1, "R2 probe")
    settle(ctx, FIXTURE_WORKERS)
    try:
        gql_id = gqlclient.product_id_for(raw_id)
        gqlclient.ask(gqlclient.PRODUCTS, {"first": 10})
    except gqlclient.GatewayRefused as err:
        return unavailable_rows(LAYER_TEMPLATES, f"gateway refused: {err}")
    twin = Twin(ctx)
    ctx.meter.groups["rest-twin"] = [twin.proc.pid]
    try:
        rows = []
        cases = (
            (
                "product",
                gqlclient.target(gqlclient.PRODUCT, {"id": gql_id}),
                f"/rest/products/{raw_id}",
                LAYER_TEMPLATES[:2],
            ),
            (
                "products",
                gqlclient.target(gqlclient.PRODUCTS, {"first": 10}),
                "/rest/products?first=10",
                LAYER_TEMPLATES[2:],
            ),
        )
        for field, gql_target, rest_path, templates in cases:
            rest_target = loadgen.HttpTarget("GET", twin.url(rest_path))
            httpx.get(rest_target.url, timeout=10).raise_for_status()  # and warm
            shared = ("gateway-daprd", "redis")
            results = alternate(
                ctx,
                (
                    _vegeta_side(
                        ctx, "GraphQL", [gql_target], field, ("gateway", *shared)
                    ),
                    _vegeta_side(
                        ctx, "REST twin", [rest_target], field, ("rest-twin", *shared)
                    ),
                ),
                RATE,
            )
            gql, rest = results["GraphQL"], results["REST twin"]
            ctx.raw[f"R2 {field}"] = {n: r.as_dict() for n, r in results.items()}
            added_cpu = gql.cpu_ms["gateway"] - rest.cpu_ms["rest-twin"]
            rows += [
                replace(
                    templates[0],
                    value=added_cpu,
                    detail=f"gateway {gql.cpu_ms['gateway']:.2f}, twin "
                    f"{rest.cpu_ms['rest-twin']:.2f} CPU-ms/request",
                ),
                replace(
                    templates[1],
                    value=gql.latency.p50 - rest.latency.p50,
                    detail=f"{describe(gql)}; {describe(rest)}{busy_note([gql, rest])}",
                ),
            ]
        return rows
    finally:
        ctx.meter.groups.pop("rest-twin", None)
        twin.stop()


# --- R3 ---------------------------------------------------------------------------


def run_cache(ctx: Context) -> list[Row]:
    why = gateway_http_missing(ctx)
    if why:
        return unavailable_rows(CACHE_TEMPLATES, why)
    settings = ctx.settings
    cold_needed = (
        int(
            CACHE_RATE
            * (settings.warm_s + settings.short_blocks * settings.block_s)
            * 1.1
        )
        + 10
    )
    raw_ids = create_products(ctx, cold_needed + 1, "R3 fixture")
    try:
        hot = gqlclient.product_id_for(raw_ids[0])
    except gqlclient.GatewayRefused as err:
        return unavailable_rows(CACHE_TEMPLATES, f"gateway refused: {err}")
    global_ids = hot != raw_ids[0]
    # The new products' product-updated events reach the gateway's cache.
    settle(ctx, FIXTURE_WORKERS)

    def cold() -> Iterator[loadgen.HttpTarget]:
        for raw in raw_ids[1:]:
            gid = gqlclient.global_id(raw) if global_ids else raw
            yield gqlclient.target(gqlclient.PRODUCT, {"id": gid})
        raise RuntimeError("ran out of never-read products")

    charged = (
        "gateway",
        "gateway-daprd",
        "redis",
        "product-daprd",
        "product",
        "ferretdb",
    )
    sides = (
        _vegeta_side(
            ctx,
            "cached",
            [gqlclient.target(gqlclient.PRODUCT, {"id": hot})],
            "product",
            charged,
        ),
        _vegeta_side(ctx, "uncached", cold(), "product", charged),
        _vegeta_side(
            ctx, "floor", [gqlclient.target(gqlclient.FLOOR)], "__typename", charged
        ),
    )
    results = alternate(ctx, sides, CACHE_RATE, blocks=settings.short_blocks)
    cached, uncached, floor = results["cached"], results["uncached"], results["floor"]
    ctx.raw["R3"] = {n: r.as_dict() for n, r in results.items()}
    compared = (
        f"{describe(cached)}; {describe(floor)}{busy_note(list(results.values()))}"
    )
    return [
        replace(
            CACHE_TEMPLATES[0],
            value=cached.latency.p50 - floor.latency.p50,
            detail=compared,
        ),
        replace(
            CACHE_TEMPLATES[1],
            value=ratio(uncached.latency.p50, cached.latency.p50),
            detail=f"{describe(uncached)}; {describe(cached)}",
        ),
        replace(
            CACHE_TEMPLATES[2],
            value=cached.cpu_ms["gateway"],
            detail=f"uncached {uncached.cpu_ms['gateway']:.2f}, floor "
            f"{floor.cpu_ms['gateway']:.2f} CPU-ms/request",
        ),
    ]
