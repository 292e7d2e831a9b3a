"""R5: rate ladders through the gateway, one step per offered rate.

`products`: the anonymous catalog query, climbing until the knee (the lowest
rate whose p99 passes 50 ms or that fails more than 1 %) and a little beyond.

A step that crosses the line is run once more and the repeat is what counts:
on a shared 2-core machine one stall of another process (a compaction, a log
flush) can hold a whole burst of requests past 50 ms once. Both runs are in
the table's detail ("200: p99 73 → 6 ms") and in the JSON.

`placeOrder` under stock contention: every step first sets the product's stock
to half the orders the step will send, so about half succeed and half are
refused (OutOfStock). After each step the stock must equal what was set minus
the orders placed, and never go below zero: anything else is oversold.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from bench import gqlclient, loadgen
from bench.harness import Context, unavailable_rows
from bench.invocation import (
    BENCH_ADMIN,
    caller_channel,
    create_products,
    sidecar_metadata,
)
from bench.reads import gateway_http_missing
from bench.report import Row, Series, at_least, at_most
from bench.stats import RatePoint, knee, ladder_exhausted, summarize
from protos.product.v1 import product_pb2, product_pb2_grpc

KNEE_P99_MS = 50.0
STOP_P99_MS = 1000.0
PRODUCTS_AT = 250
PRODUCTS_KNEE_RPS = 350.0

TEMPLATES = (
    Row("R5", f"products p99 @{PRODUCTS_AT} rps", None, "ms", at_most(30.0)),
    Row("R5", "products knee (p99 > 50 ms)", None, "rps", at_least(PRODUCTS_KNEE_RPS)),
    Row("R5", "placeOrder oversold", None, "", at_most(0)),
    Row("R5", "placeOrder knee (p99 > 50 ms)", None, "rps"),
)


def run(ctx: Context) -> list[Row]:
    why = gateway_http_missing(ctx)
    if why:
        return unavailable_rows(TEMPLATES, why)
    return products_ladder(ctx) + orders_ladder(ctx)


def _point(block: loadgen.Block) -> RatePoint:
    return RatePoint(block.offered_rps, summarize(block.latencies_ms, block.errors))


def _series_point(point: RatePoint, **extra: object) -> dict[str, float | None]:
    lat = point.latency
    values = {"rps": point.offered_rps, "p50": lat.p50, "p90": lat.p90, "p99": lat.p99}
    out: dict[str, float | None] = {
        k: (None if math.isnan(v) else v) for k, v in values.items()
    }
    out["errors"] = lat.errors
    out.update(extra)  # type: ignore[arg-type]
    return out


def _knee_text(
    found: float | None,
    points: list[RatePoint],
    at_least: float = 0.0,
    repeated: dict[float, RatePoint] | None = None,
) -> tuple[float | None, str]:
    """The knee and the ladder in words ("200: p99 73 → 6 ms" for a repeated
    step). Without a knee the highest rate tried stands in, unless it is below
    what the target asks (then: inconclusive)."""
    repeated = repeated or {}
    top = max(p.offered_rps for p in points)
    ladder = "; ".join(
        f"{p.offered_rps:.0f}: p99 "
        + (
            f"{repeated[p.offered_rps].latency.p99:.0f} → "
            if p.offered_rps in repeated
            else ""
        )
        + f"{p.latency.p99:.0f} ms"
        + (f", {p.latency.error_rate:.0%} failed" if p.latency.errors else "")
        for p in points
    )
    if found is None:
        if top < at_least:
            return None, f"inconclusive: no knee up to {top:.0f} rps (short ladder)"
        return top, f"no knee up to {top:.0f} rps (the highest rate tried); {ladder}"
    return found, ladder


def crossed(point: RatePoint) -> bool:
    lat = point.latency
    return lat.count == 0 or lat.p99 > KNEE_P99_MS or lat.error_rate > 0.01


def confirmed(step: Callable[[], RatePoint]) -> tuple[RatePoint, RatePoint | None]:
    """(the point that counts, the first run if the step had to be repeated).
    A step over the knee line runs once more, unless it is deep in overload."""
    point = step()
    if not crossed(point) or ladder_exhausted(point, STOP_P99_MS):
        return point, None
    return step(), point


def _first_run(first: RatePoint | None) -> dict[str, float]:
    if first is None:
        return {}
    return {"first_p99": first.latency.p99, "first_errors": first.latency.errors}


def products_ladder(ctx: Context) -> list[Row]:
    try:
        gqlclient.ask(gqlclient.PRODUCTS, {"first": 10})
    except gqlclient.GatewayRefused as err:
        return unavailable_rows(TEMPLATES[:2], f"gateway refused: {err}")
    request = [gqlclient.target(gqlclient.PRODUCTS, {"first": 10})]
    points: list[RatePoint] = []
    repeated: dict[float, RatePoint] = {}
    series = Series("R5 products (GraphQL, anonymous)")
    for rps in ctx.settings.products_ladder:

        def step(rps: int = rps) -> RatePoint:
            return _point(
                loadgen.vegeta(
                    label=f"products@{rps}",
                    targets=request,
                    rps=rps,
                    duration_s=ctx.settings.ladder_step_s,
                    workdir=ctx.workdir,
                    ok=gqlclient.answered("products"),
                )
            )

        point, first = confirmed(step)
        points.append(point)
        if first is not None:
            repeated[point.offered_rps] = first
        series.points.append(_series_point(point, **_first_run(first)))
        if ladder_exhausted(point, STOP_P99_MS):
            break
    ctx.series.append(series)
    ctx.raw["R5 products"] = series.points
    at = next((p for p in points if p.offered_rps == PRODUCTS_AT), None)
    found, knee_detail = _knee_text(
        knee(points, KNEE_P99_MS), points, PRODUCTS_KNEE_RPS, repeated
    )
    at_row = (
        replace(
            TEMPLATES[0],
            value=at.latency.p99,
            detail=f"p50 {at.latency.p50:.1f} ms, {at.latency.errors} failed",
        )
        if at
        else replace(
            TEMPLATES[0],
            detail=f"not measured: the ladder did not reach {PRODUCTS_AT} rps",
        )
    )
    return [at_row, replace(TEMPLATES[1], value=found, detail=knee_detail)]


def orders_ladder(ctx: Context) -> list[Row]:
    if not ctx.stack.has("order", "user"):
        return unavailable_rows(TEMPLATES[2:], ctx.stack.why_not("order", "user"))
    subject = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        token = gqlclient.token(ctx.env["OIDC_ISSUER"], subject)
        gqlclient.ask(gqlclient.ME, token=token)  # the first request makes the user
    except Exception as err:
        return unavailable_rows(TEMPLATES[2:], f"no signed-in buyer: {err}")
    (raw_id,) = create_products(ctx, 1, "R5 contended", stock=0)
    try:
        product_id = gqlclient.product_id_for(raw_id)
    except gqlclient.GatewayRefused as err:
        return unavailable_rows(TEMPLATES[2:], f"gateway refused: {err}")

    metadata = sidecar_metadata(ctx, "product", BENCH_ADMIN)
    points: list[RatePoint] = []
    repeated: dict[float, RatePoint] = {}
    series = Series("R5 placeOrder (GraphQL, one contended product)")
    oversold = 0
    checks: list[str] = []
    with caller_channel() as channel:
        stub = product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call]
        for rps in ctx.settings.orders_ladder:
            outcomes: Counter[str] = Counter()

            def step(rps: int = rps) -> RatePoint:
                nonlocal oversold, outcomes
                count = max(1, round(rps * ctx.settings.ladder_step_s))
                stock = count // 2
                stub.UpdateProduct(
                    product_pb2.UpdateProductRequest(id=raw_id, stock=stock),
                    metadata=metadata,
                    timeout=10,
                )
                targets = [
                    gqlclient.target(
                        gqlclient.PLACE_ORDER,
                        {
                            "input": {
                                "items": [{"productId": product_id, "quantity": 1}],
                                "idempotencyKey": uuid.uuid4().hex,
                            }
                        },
                        token,
                    )
                    for _ in range(count)
                ]
                block = loadgen.vegeta(
                    label=f"placeOrder@{rps}",
                    targets=targets,
                    rps=rps,
                    duration_s=ctx.settings.ladder_step_s,
                    workdir=ctx.workdir,
                    ok=placed_or_refused,
                    keep_bodies=True,
                )
                outcomes = Counter(outcome(body) for body in block.bodies)
                left = stub.GetProduct(
                    product_pb2.GetProductRequest(id=raw_id),
                    metadata=metadata,
                    timeout=10,
                ).stock
                placed = outcomes["Order"]
                oversold += max(0, placed - stock, -left)
                checks.append(
                    f"{rps}/s: stock {stock}, placed {placed}, refused "
                    f"{outcomes['OutOfStock']}, left {left}"
                    + ("" if left == stock - placed else " (stock and orders disagree)")
                )
                return _point(block)

            point, first = confirmed(step)
            points.append(point)
            if first is not None:
                repeated[point.offered_rps] = first
            series.points.append(
                _series_point(
                    point,
                    placed=outcomes["Order"],
                    refused=outcomes["OutOfStock"],
                    **_first_run(first),
                )
            )
            if ladder_exhausted(point, STOP_P99_MS):
                break
    ctx.series.append(series)
    ctx.raw["R5 placeOrder"] = {"steps": series.points, "stock checks": checks}
    found, knee_detail = _knee_text(
        knee(points, KNEE_P99_MS), points, repeated=repeated
    )
    return [
        replace(TEMPLATES[2], value=float(oversold), detail="; ".join(checks)),
        replace(TEMPLATES[3], value=found, detail=knee_detail),
    ]


def outcome(body: bytes) -> str:
    """`Order`, `OutOfStock`, another result type, or `error`."""
    try:
        reply = json.loads(body)
        return str(reply["data"]["placeOrder"]["__typename"])
    except (ValueError, KeyError, TypeError):
        return "error"


def placed_or_refused(status: int, body: bytes) -> bool:
    return status == 200 and outcome(body) in ("Order", "OutOfStock")
