"""A second instance of an app: its own app process beside its own daprd, under
the SAME app id, on free ports. The fault tier's mesh resolves names with the
sqlite resolver (tests/faults/conftest.py), where each daprd registers itself,
so a caller's sidecar sends each call to one of the app id's instances.

The replica shares everything else with the mesh's instance: databases, the
lock store, the broker (and so the consumer group), the trust anchors.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from devmesh.launcher.apps import app_argv
from devmesh.launcher.env import app_env
from devmesh.launcher.sidecar import daprd_argv, sidecar_env
from devmesh.paths import REPO

FLAGS = {
    "app": "--app-port",
    "http": "--dapr-http-port",
    "grpc": "--dapr-grpc-port",
    "internal": "--dapr-internal-grpc-port",
    "metrics": "--metrics-port",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replica:
    app: str
    ports: dict[str, int]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _env(base: dict[str, str], ports: dict[str, int]) -> dict[str, str]:
    return {
        **os.environ,
        **base,
        "APP_PORT": str(ports["app"]),
        "METRICS_PORT": "0",  # the first instance serves the metrics port
        "DAPR_HTTP_PORT": str(ports["http"]),
        "DAPR_GRPC_PORT": str(ports["grpc"]),
    }


def _daprd(profile: str, app: str, ports: dict[str, int]) -> list[str]:
    argv = daprd_argv(profile, app)
    for name, flag in FLAGS.items():
        argv[argv.index(flag) + 1] = str(ports[name])
    return argv


def _ready(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/v1.0/healthz"
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(200 <= resp.status < 300)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def replica(profile: str, app: str, log_dir: Path) -> Iterator[Replica]:
    """Starts the pair, waits until its sidecar is healthy, stops both after."""
    ports = {name: free_port() for name in FLAGS}
    one = Replica(app, ports)
    log_path = log_dir / f"{app}-replica-{ports['app']}.log"
    with log_path.open("ab") as log:
        try:
            for argv, env in (
                (app_argv(app), _env(app_env(profile, app), ports)),
                (_daprd(profile, app, ports), _env(sidecar_env(profile, app), ports)),
            ):
                one.procs.append(
                    subprocess.Popen(
                        argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
            deadline = time.monotonic() + 60
            while not _ready(ports["http"]):
                dead = [p.args for p in one.procs if p.poll() is not None]
                assert not dead, f"{app} replica exited: see {log_path}"
                assert time.monotonic() < deadline, f"{app} replica not ready"
                time.sleep(0.3)
            yield one
        finally:
            for proc in one.procs:
                proc.terminate()
            for proc in one.procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def served(metrics_port: int, caller: str) -> int:
    """Calls from `caller` a sidecar let through to its app (its access
    control's allowed count, from its Prometheus metrics): per instance."""
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if (
            line.startswith("dapr_runtime_acl_app_policy_action_allowed_total")
            and f'app_id="{caller}"' in line
        ):
            total += float(re.split(r"\s+", line.strip())[-1])
    return int(total)
