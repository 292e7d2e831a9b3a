"""A second product process beside the mesh's own: same MongoDB, same sidecar
(so the same lock store and app id), its own app and health ports. Tests call
it directly with the token a sidecar would present, so stock changes reach
two product processes at once."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc

from devmesh import trust
from devmesh.launcher.env import app_env
from protos.product.v1 import product_pb2, product_pb2_grpc


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ProductInstance:
    def __init__(self, port: int) -> None:
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = product_pb2_grpc.ProductServiceStub(self.channel)  # type: ignore[no-untyped-call]
        # Straight to the app port, as product's sidecar would call it: with
        # the app token and the caller it authenticated (order reserves).
        self.metadata = (
            ("dapr-api-token", trust.api_tokens()["product"].app),
            ("dapr-caller-app-id", "order"),
        )


@contextlib.contextmanager
def product_instance(
    profile: str, log_dir: Path, **settings: str
) -> Iterator[ProductInstance]:
    """Starts `python -m services.product` with `settings` (env names) on free
    ports; stops it (this process only) on exit."""
    app_port = _free_port()
    env = {
        **os.environ,
        **app_env(profile, "product"),
        "APP_PORT": str(app_port),
        "METRICS_PORT": "0",  # the mesh's product serves the metrics port
        **settings,
    }
    log_path = log_dir / f"product-extra-{app_port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.product"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(proc, app_port, log_path)
            instance = ProductInstance(app_port)
            yield instance
            instance.channel.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    """Ready when the app answers a read (its health is Dapr's gRPC callback,
    with no HTTP port of its own): NOT_FOUND for an unknown id will do."""
    probe = ProductInstance(port)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"extra product exited: {log_path.read_text()}")
            try:
                probe.stub.GetProduct(
                    product_pb2.GetProductRequest(id="readiness-probe"),
                    metadata=probe.metadata,
                    timeout=2,
                )
                return
            except grpc.RpcError as err:
                if err.code() == grpc.StatusCode.NOT_FOUND:
                    return
            time.sleep(0.3)
    finally:
        probe.channel.close()
    raise AssertionError(f"extra product not ready: {log_path.read_text()}")
