"""R1: one gRPC call through both sidecars versus the same call made directly.

Direct: ghz -> product app port, presenting the sidecar's APP_API_TOKEN as the
sidecar would. Via Dapr: ghz -> the calling sidecar's gRPC port with
`dapr-app-id: product` (Dapr's gRPC proxying) -> product's sidecar -> app.
Also a rate sweep for the plot, R1 with mTLS off (R1n, its rows beside R1's)
and (full run) the price of sidecar metrics and of tracing.
"""

from __future__ import annotations

import importlib.resources
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import grpc

from bench import loadgen
from bench.harness import (
    Context,
    Side,
    SideResult,
    alternate,
    busy_note,
    describe,
    unavailable_rows,
)
from bench.report import TIMES, Row, Series, at_most
from bench.stats import ratio
from common.caller import NOBODY, PRODUCTS_WRITE, Actor
from devmesh import trust
from devmesh.paths import REPO
from devmesh.ports import load
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2, product_pb2_grpc

CALL = "daprshop.product.v1.ProductService.GetProduct"
RATE = 100
CALLER = "gateway-daprd"

TEMPLATES = (
    Row("R1", f"added p50, 2 sidecars @{RATE} rps", None, "ms", at_most(1.2)),
    Row("R1", f"added p99, 2 sidecars @{RATE} rps", None, "ms", at_most(3.0)),
    Row("R1", "p50 via Dapr ÷ direct", None, TIMES, at_most(2.5)),
    Row("R1", "calling daprd CPU per call", None, "CPU-ms", at_most(0.25)),
    Row("R1", "product daprd CPU per call", None, "CPU-ms", at_most(0.25)),
    Row("R1", "product app CPU per call", None, "CPU-ms"),
)


def protoset(workdir: Path) -> Path:
    """A descriptor set of product.proto and its imports, for ghz."""
    out = workdir / "product.protoset"
    if out.exists():
        return out
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{REPO}",
            f"-I{well_known}",
            "--include_imports",
            f"--descriptor_set_out={out}",
            "protos/product/v1/product.proto",
        ],
        check=True,
        cwd=REPO,
    )
    return out


# What the gateway would forward for an admin (common.caller): the bench's
# fixtures create and restock products.
BENCH_ADMIN = Actor(subject="bench", permissions=frozenset({PRODUCTS_WRITE}))


def sidecar_metadata(
    ctx: Context, app: str, actor: Actor = NOBODY
) -> tuple[tuple[str, str], ...]:
    """Call `app` through the calling (gateway's) sidecar, with its token,
    made for `actor` as the gateway names its acting user."""
    return (
        ("dapr-app-id", app),
        ("dapr-api-token", trust.api_tokens()["gateway"].dapr),
        *actor.metadata(),
    )


def caller_channel() -> grpc.Channel:
    """A channel to the calling sidecar (gateway's); name the target app in
    `dapr-app-id` metadata."""
    return grpc.insecure_channel(f"127.0.0.1:{load().apps['gateway'].grpc}")


def create_products(
    ctx: Context, count: int, prefix: str, stock: int = 1000
) -> list[str]:
    """Products made through the calling sidecar, as any service would."""
    metadata = sidecar_metadata(ctx, "product", BENCH_ADMIN)
    with caller_channel() as channel:
        stub = product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call]

        def create(index: int) -> str:
            product = stub.CreateProduct(
                product_pb2.CreateProductRequest(
                    name=f"{prefix} {index}",
                    description="benchmark fixture",
                    category="bench",
                    price=money_pb2.Money(amount=1000 + index, currency="USD"),
                    stock=stock,
                ),
                metadata=metadata,
                timeout=10,
            )
            return str(product.id)

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(create, range(count)))


def sides(ctx: Context, product_id: str) -> tuple[Side, Side]:
    ports = load().apps
    common = {
        "call": CALL,
        "protoset": protoset(ctx.workdir),
        "data": {"id": product_id},
        "workdir": ctx.workdir,
        "skip_first": 5,
    }

    def direct(rps: float, seconds: float) -> loadgen.Block:
        return loadgen.ghz(
            label="direct",
            target=f"127.0.0.1:{ports['product'].app}",
            metadata={"dapr-api-token": trust.api_tokens()["product"].app},
            rps=rps,
            duration_s=seconds,
            **common,  # type: ignore[arg-type]
        )

    def via_dapr(rps: float, seconds: float) -> loadgen.Block:
        return loadgen.ghz(
            label="via Dapr",
            target=f"127.0.0.1:{ports['gateway'].grpc}",
            metadata={
                "dapr-app-id": "product",
                "dapr-api-token": trust.api_tokens()["gateway"].dapr,
            },
            rps=rps,
            duration_s=seconds,
            **common,  # type: ignore[arg-type]
        )

    return (
        Side("direct", direct, ("product",)),
        Side("via Dapr", via_dapr, (CALLER, "product-daprd", "product")),
    )


def _missing(ctx: Context) -> str:
    if not ctx.stack.has("product"):
        return ctx.stack.why_not("product")
    if not ctx.has_processes(CALLER, "product-daprd"):
        return f"no calling sidecar ({ctx.stack.down.get('caller sidecar', '?')})"
    try:
        loadgen.ghz_binary()
    except loadgen.ToolMissing as err:
        return str(err)
    return ""


def figures(direct: SideResult, via: SideResult, label: str = "") -> list[Row]:
    d, v = direct.latency, via.latency
    compared = f"{describe(via)}; {describe(direct)}{busy_note([direct, via])}"
    cpu = via.cpu_ms
    rows = [
        replace(TEMPLATES[0], value=v.p50 - d.p50, detail=compared),
        replace(TEMPLATES[1], value=v.p99 - d.p99, detail=compared),
        replace(TEMPLATES[2], value=ratio(v.p50, d.p50), detail=compared),
        replace(
            TEMPLATES[3],
            value=cpu[CALLER],
            detail="idle CPU subtracted; load tool "
            f"{via.tool_cpu_ms:.2f} CPU-ms/call (not charged)",
        ),
        replace(TEMPLATES[4], value=cpu["product-daprd"], detail="idle CPU subtracted"),
        replace(
            TEMPLATES[5],
            value=cpu["product"],
            detail=f"direct: {direct.cpu_ms['product']:.3f} CPU-ms per call",
        ),
    ]
    if label:
        rows = [replace(r, figure=f"{r.figure} ({label})") for r in rows]
    return rows


def run(ctx: Context) -> list[Row]:
    why = _missing(ctx)
    if why:
        return unavailable_rows(TEMPLATES, why)
    (product_id,) = create_products(ctx, 1, "R1 probe")
    direct, via = sides(ctx, product_id)
    results = alternate(ctx, (direct, via), RATE)
    ctx.raw["R1"] = {
        "caller": ctx.stack.caller_kind,
        "rate_rps": RATE,
        **{name: r.as_dict() for name, r in results.items()},
    }
    rows = figures(results["direct"], results["via Dapr"])
    if ctx.settings.sweep_rps:
        sweep(ctx, (direct, via))
    return rows


def sweep(ctx: Context, pair: tuple[Side, Side]) -> None:
    """Latency percentiles against offered rate, both sides, for the plot."""
    series = {side.name: Series(f"R1 GetProduct {side.name}") for side in pair}
    for rps in ctx.settings.sweep_rps:
        results = alternate(ctx, pair, rps, blocks=1, block_s=3, warm_s=1)
        for name, result in results.items():
            lat = result.latency
            series[name].points.append(
                {
                    "rps": rps,
                    "p50": lat.p50,
                    "p90": lat.p90,
                    "p99": lat.p99,
                    "errors": lat.errors,
                    "machine_busy": round(result.machine_busy, 3),
                    **{
                        f"{proc} CPU-ms": round(ms, 3)
                        for proc, ms in result.cpu_ms.items()
                    },
                }
            )
    ctx.series.extend(series.values())


def run_traced(ctx: Context) -> list[Row]:
    """R1 again with every call traced (sampling 1), to price tracing."""
    return _rerun(ctx, {"DAPR_TRACE_SAMPLING": "1"}, "tracing on")


def run_without_metrics(ctx: Context) -> list[Row]:
    """R1 again with the sidecars' metrics off, to price them."""
    return _rerun(ctx, {"DAPR_METRICS": "false"}, "metrics off")


def run_without_mtls(ctx: Context) -> list[Row]:
    """R1 again with mTLS off between the two sidecars (DAPR_MTLS=false, so
    their Configurations carry no access control), to price mTLS: R1's six
    rows, for the report to print beside R1's (report.beside)."""
    why = _missing(ctx)
    if why:
        return [
            replace(r, scenario="R1n", figure=f"{r.figure} ({MTLS_OFF})", target=None)
            for r in unavailable_rows(TEMPLATES, why)
        ]
    rows = _rerun(ctx, {"DAPR_MTLS": "false"}, MTLS_OFF, keep=len(TEMPLATES))
    return [replace(r, scenario="R1n") for r in rows]


MTLS_OFF = "mTLS off"


def _rerun(ctx: Context, env: dict[str, str], label: str, keep: int = 5) -> list[Row]:
    """R1 with product's pair and the calling sidecar restarted under `env`
    (the other settings at their defaults); its first `keep` rows, with no
    target. The sidecars stay so until the next rerun: reruns go last."""
    why = _missing(ctx)
    if why:
        return []
    defaults = {
        "DAPR_TRACE_SAMPLING": "0",
        "DAPR_METRICS": "true",
        "DAPR_MTLS": "true",
    }
    os.environ.update({**defaults, **env})
    try:
        ctx.stack.restart("product")
        ctx.stack.restart_caller()
    finally:
        os.environ.update(defaults)
    ctx.refresh_processes()
    (product_id,) = create_products(ctx, 1, f"R1 {label} probe")
    results = alternate(
        ctx, sides(ctx, product_id), RATE, blocks=ctx.settings.short_blocks
    )
    ctx.raw[f"R1 {label}"] = {name: r.as_dict() for name, r in results.items()}
    rows = figures(results["direct"], results["via Dapr"], label)
    # The targets are for the default settings; these rows are the price.
    return [replace(r, target=None) for r in rows[:keep]]
