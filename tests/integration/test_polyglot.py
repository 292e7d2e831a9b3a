"""A Go app reads a product through its own sidecar, as any non-Python client would.

tests/polyglot is built with the Go stubs of protos/ (Go's build cache makes a
rebuild take about a second) and run beside a daprd of its own: the shop's
sidecar command line with app id `polyglot`, its own ports and no app channel,
so the Configuration (name resolution), resources and any security flags are
the shop's. Its call reaches the product service by gRPC proxying
(`dapr-app-id: product`).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devmesh import trust
from devmesh.launcher import LOOPBACK, daprd_argv
from devmesh.paths import REPO
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2, product_pb2_grpc
from tests.integration.helpers import sidecar_channel, sidecar_metadata

pytestmark = pytest.mark.integration
POLYGLOT = REPO / "tests" / "polyglot"
# The polyglot sidecar's own API token (it is no app of the shop's table).
POLYGLOT_TOKEN = secrets.token_urlsafe(32)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def polyglot_argv(profile: str, ports: dict[str, int]) -> list[str]:
    """Product's daprd command line, turned into the polyglot app's."""
    base = daprd_argv(profile, "product")
    override = {"--app-id": "polyglot", **{f"--{k}": str(v) for k, v in ports.items()}}
    drop = {"--app-port", "--app-protocol", "--app-channel-address"}
    argv, rest, applied = [base[0]], iter(base[1:]), set()
    for token in rest:
        if token in drop:
            next(rest)
        elif token in override:
            argv += [token, override[token]]
            applied.add(token)
            next(rest)
        else:
            argv.append(token)
    assert applied == set(override), f"daprd flags changed: {base}"
    return argv


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"polyglot daprd exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if 200 <= resp.status < 300:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"polyglot daprd not healthy after 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def polyglot_sidecar(
    mesh: Any,
    profile: str,
    shared_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The polyglot app's own daprd; yields its gRPC address."""
    http, grpc_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("polyglot") / "daprd.log"
    ports = {
        "dapr-http-port": http,
        "dapr-grpc-port": grpc_port,
        "dapr-internal-grpc-port": free_port(),
        "metrics-port": free_port(),
    }
    argv = polyglot_argv(profile, ports)
    env = {
        **os.environ,
        **shared_env,
        "DAPR_HOST_IP": LOOPBACK,
        "DAPR_API_TOKEN": POLYGLOT_TOKEN,
        "DAPR_TRUST_ANCHORS": trust.trust_anchors(),
        "DAPR_SENTRY_TOKEN_FILE": str(trust.write_sentry_token("polyglot", log.parent)),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out)
    try:
        wait_healthy(f"http://{LOOPBACK}:{http}/v1.0/healthz", proc, log)
        yield f"{LOOPBACK}:{grpc_port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def polyglot_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = tmp_path_factory.mktemp("polyglot-bin") / "polyglot"
    build = subprocess.run(
        ["go", "build", "-o", str(binary), "."],
        cwd=POLYGLOT,
        env={**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return binary


def test_a_go_client_reads_a_product_through_its_own_sidecar(
    polyglot_sidecar: str, polyglot_client: Path, shared_env: dict[str, str]
) -> None:
    with sidecar_channel(via="gateway") as channel:
        created = product_pb2_grpc.ProductServiceStub(channel).CreateProduct(
            product_pb2.CreateProductRequest(
                name=f"Polyglot {uuid.uuid4().hex[:6]}",
                category="polyglot",
                price=money_pb2.Money(amount=1234, currency="EUR"),
                stock=7,
            ),
            metadata=sidecar_metadata(shared_env, "product"),
            timeout=10,
        )

    run = subprocess.run(
        [str(polyglot_client), "-sidecar", polyglot_sidecar, "-id", created.id],
        env={**os.environ, "DAPR_API_TOKEN": POLYGLOT_TOKEN},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    product = json.loads(run.stdout)
    assert product["id"] == created.id
    assert product["name"] == created.name
    assert product["price"] == {"amount": "1234", "currency": "EUR"}
    assert product["stock"] == "7"
