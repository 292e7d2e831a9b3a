"""R3: product reads through the gateway, and what every GraphQL load shares
(is the gateway there, a vegeta side checked field by field).

R3 prices the cache: `product(id)` for one hot product (cached) against
`product(id)` for products never asked before (uncached: miss, backend call,
fill) and against `{ __typename }`, which the gateway answers alone (floor).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

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

# R3 runs slower: a cache miss costs the gateway far more CPU than a hit, and
# the uncached side must not saturate the machine (latency runs stay < 70 %).
CACHE_RATE = 30
# Who works on a new product's events (cache invalidation) and its storage.
FIXTURE_WORKERS = ("gateway", "gateway-daprd", "product", "product-daprd", "ferretdb")

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


def vegeta_side(
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
        vegeta_side(
            ctx,
            "cached",
            [gqlclient.target(gqlclient.PRODUCT, {"id": hot})],
            "product",
            charged,
        ),
        vegeta_side(ctx, "uncached", cold(), "product", charged),
        vegeta_side(
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
