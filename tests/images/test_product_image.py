"""The product image, run by podman beside a real daprd, answers through it.

Builds the product image (`make images`; a warm build only hashes), starts
what product needs on the lite profile (Sentry, FerretDB, Redis; no Kafka),
product's daprd as a host process, and the image on the host network. A
product written into FerretDB from here is then read back with a gRPC call
to the gateway's daprd (which crosses to product's over mTLS, which hands it
to the container), and the container's process is checked to run as the
image's non-root user. The daprd image is run too (`--version`, as uid 65532)
and its CA bundle looked at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymongo import MongoClient

from devmesh import launcher, pins, trust
from devmesh.images import names
from devmesh.images.build import build
from devmesh.images.names import UID
from devmesh.images.podman import run_options
from devmesh.launcher.env import app_env
from devmesh.mesh import Mesh
from devmesh.paths import run_dir
from devmesh.ports import load
from protos.product.v1 import product_pb2, product_pb2_grpc
from services.product.adapters.repository import MongoProductRepository
from services.product.domain import Money, Product

pytestmark = pytest.mark.images

PROFILE = "lite"
APP = "product"
CALLER = "gateway"
NEEDS = ["sentry", "ferretdb", "redis"]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(200 <= resp.status < 300)
    except (urllib.error.URLError, OSError):
        return False


def _podman(*args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        ["podman", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return out.stdout.strip()


@pytest.fixture(scope="module")
def image() -> str:
    if not shutil.which("buildah") or not shutil.which("podman"):
        pytest.fail(
            "buildah/podman missing: python3 -m devmesh.bootstrap --with images",
            pytrace=False,
        )
    started = time.monotonic()
    (built,) = build([APP])
    print(f"\nimages: {built.ref} ready in {time.monotonic() - started:.1f}s")
    return built.ref


@pytest.fixture(scope="module")
def backends() -> Iterator[Mesh]:
    mesh = Mesh(PROFILE, log_dir=run_dir(PROFILE) / "logs-images")
    try:
        mesh.start(NEEDS)
        yield mesh
    finally:
        mesh.stop()


@contextlib.contextmanager
def _daprd(app: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`app`'s daprd as a host process, as the launcher starts it."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            launcher.daprd_argv(PROFILE, app),
            env={**os.environ, **launcher.sidecar_env(PROFILE, app)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def container(image: str, backends: Mesh) -> Iterator[str]:
    """product's daprd (a host process) and the product image beside it."""
    log = backends.log_dir / "product-daprd.log"
    name = f"daprshop-images-test-{os.getpid()}"
    env = app_env(PROFILE, APP)
    # The values come from podman's own environment (`--env NAME`): the API
    # tokens stay off the command line.
    passed = [arg for key in sorted(env) for arg in ("--env", key)]
    app_port = load().apps[APP].app
    with socket.socket() as sock:  # the answer must come from the container
        assert sock.connect_ex(("127.0.0.1", app_port)) != 0, f"{app_port} in use"
    with _daprd(APP, log) as daprd:
        try:
            _podman(
                "run", "-d", "--name", name, *run_options(), *passed, image, env=env
            )
            _wait_ready(name, daprd, log)
            yield name
        finally:
            subprocess.run(["podman", "rm", "--force", name], capture_output=True)


@pytest.fixture(scope="module")
def gateway_sidecar(backends: Mesh) -> Iterator[int]:
    """The gateway's daprd alone (no gateway app): the caller the access
    policies let read products. Its gRPC port."""
    ports = load().apps[CALLER]
    with _daprd(CALLER, backends.log_dir / "gateway-daprd.log") as daprd:
        outbound = f"http://127.0.0.1:{ports.http}/v1.0/healthz/outbound"
        deadline = time.monotonic() + 60
        while not _ready(outbound):
            if daprd.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gateway's daprd not ready (exit {daprd.poll()})")
            time.sleep(0.3)
        yield ports.grpc


def _wait_ready(name: str, daprd: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while not _ready(f"http://127.0.0.1:{load().apps[APP].http}/v1.0/healthz"):
        running = _podman("inspect", "--format", "{{.State.Running}}", name)
        if running != "true" or daprd.poll() is not None:
            pytest.fail(
                f"product container running={running}, daprd exit={daprd.poll()}\n"
                f"{_logs(name)}\n--- daprd:\n{log.read_text(errors='replace')[-3000:]}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"product's daprd not ready after 90 s\n{_logs(name)}")
        time.sleep(0.5)


def _logs(name: str) -> str:
    out = subprocess.run(["podman", "logs", name], capture_output=True, text=True)
    return (out.stdout + out.stderr)[-3000:]


def _seeded_product() -> Product:
    product = Product(
        id=uuid.uuid4().hex,
        name="Image probe",
        description="written by tests/images",
        category="probe",
        price=Money(1234, "USD"),
        stock=3,
    )
    url = app_env(PROFILE, APP)["MONGODB_URL"]
    with MongoClient(url, serverSelectionTimeoutMS=5000) as client:
        MongoProductRepository(client, "shop").insert(product)
    return product


def test_product_image_answers_through_its_sidecar(
    container: str, gateway_sidecar: int
) -> None:
    """gateway's daprd -> (mTLS) product's daprd -> the container, and back."""
    product = _seeded_product()
    channel = grpc.insecure_channel(f"127.0.0.1:{gateway_sidecar}")
    stub: Any = product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call]
    metadata = (
        ("dapr-app-id", APP),
        ("dapr-api-token", trust.api_tokens()[CALLER].dapr),
    )
    got = stub.GetProduct(
        product_pb2.GetProductRequest(id=product.id), metadata=metadata, timeout=10
    )
    channel.close()
    assert (got.id, got.name, got.stock) == (product.id, "Image probe", 3)
    assert (got.price.amount, got.price.currency) == (1234, "USD")


def test_product_container_runs_as_non_root(container: str) -> None:
    assert _podman("inspect", "--format", "{{.Config.User}}", container) == (
        f"{UID}:{UID}"
    )
    pid = _podman("inspect", "--format", "{{.State.Pid}}", container)
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
    assert uids == [str(UID)] * 4  # real, effective, saved, file system
    assert _podman("exec", container, "id", "-u") == str(UID)


def test_daprd_image_runs_our_daprd_as_non_root_with_ca_certificates() -> None:
    (built,) = build([names.DAPRD])
    user = _podman("image", "inspect", "--format", "{{.Config.User}}", built.ref)
    assert user == f"{UID}:{UID}"
    out = _podman("run", "--rm", *run_options(), built.ref, "--version")
    assert out.splitlines()[-1] == pins.DAPR
    tree = Path(_podman("image", "mount", built.ref))
    try:
        bundle = (tree / "etc/ssl/certs/ca-certificates.crt").read_text()
        assert bundle.count("BEGIN CERTIFICATE") > 100
        assert (tree / "daprd").stat().st_mode & 0o111
    finally:
        _podman("image", "unmount", built.ref)
