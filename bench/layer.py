"""R2: what the GraphQL layer costs, with and without persisted queries.

`product(id)` and `products` through the gateway, sent two ways: the full
document on every request, and as an automatic persisted query (the hash
alone, registered once before the run), against the REST twin
(bench/twin.py), a plain FastAPI route doing the same backend work through the
same sidecar and Redis (the same catalog: near cache, the `cache` store, the
product service on a miss) plus the same non-GraphQL per-request work
(request-context middleware, one rate-limit charge). All three are measured
warm, so all answer from the cache, in alternating blocks of one run; the
figures are in bench/overhead.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx

from bench import gqlclient, loadgen, overhead
from bench.harness import Context, alternate, settle, unavailable_rows
from bench.invocation import create_products
from bench.reads import FIXTURE_WORKERS, gateway_http_missing, vegeta_side
from bench.report import Row
from devmesh import trust
from devmesh.paths import REPO
from devmesh.ports import load

RATE = 100
FIELDS = (("product", "product(id)"), ("products", "products"))


def all_templates() -> list[Row]:
    return [row for _, label in FIELDS for row in overhead.templates(label, RATE)]


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


def register(query: str, variables: dict[str, Any]) -> str:
    """Register a document for APQ; why the hash alone cannot run ("" if it can)."""
    try:
        gqlclient.register_persisted(query, variables)
    except (gqlclient.GatewayRefused, httpx.HTTPError) as err:
        return f"persisted query refused: {err}"
    return ""


def run_layer(ctx: Context) -> list[Row]:
    why = gateway_http_missing(ctx)
    if why:
        return unavailable_rows(all_templates(), why)
    (raw_id,) = create_products(ctx, 1, "R2 probe")
    settle(ctx, FIXTURE_WORKERS)
    try:
        gql_id = gqlclient.product_id_for(raw_id)
        gqlclient.ask(gqlclient.PRODUCTS, {"first": 10})
    except gqlclient.GatewayRefused as err:
        return unavailable_rows(all_templates(), f"gateway refused: {err}")
    twin = Twin(ctx)
    ctx.meter.groups["rest-twin"] = [twin.proc.pid]
    try:
        cases: dict[str, tuple[str, dict[str, Any], str]] = {
            "product": (gqlclient.PRODUCT, {"id": gql_id}, f"/rest/products/{raw_id}"),
            "products": (gqlclient.PRODUCTS, {"first": 10}, "/rest/products?first=10"),
        }
        rows = []
        for field, label in FIELDS:
            query, variables, rest_path = cases[field]
            rest_target = loadgen.HttpTarget("GET", twin.url(rest_path))
            httpx.get(rest_target.url, timeout=10).raise_for_status()  # and warm
            apq_missing = register(query, variables)
            shared = ("gateway-daprd", "redis")
            targets = {
                overhead.FULL: gqlclient.target(query, variables),
                overhead.APQ: gqlclient.persisted_target(
                    query, variables, with_document=False
                ),
                overhead.REST: rest_target,
            }
            sides = [
                vegeta_side(
                    ctx, name, [target], field, (overhead.CHARGED[name], *shared)
                )
                for name, target in targets.items()
                if not (name == overhead.APQ and apq_missing)
            ]
            results = alternate(ctx, sides, RATE)
            ctx.raw[f"R2 {field}"] = {n: r.as_dict() for n, r in results.items()}
            rows += overhead.rows(label, RATE, results, apq_missing)
        return rows
    finally:
        ctx.meter.groups.pop("rest-twin", None)
        twin.stop()
