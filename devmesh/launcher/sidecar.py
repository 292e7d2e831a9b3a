"""The daprd command line of each app's sidecar."""

from __future__ import annotations

import os

from devmesh import bootstrap
from devmesh.launcher.dapr_config import render_dapr_config
from devmesh.launcher.spec import LOOPBACK
from devmesh.paths import REPO
from devmesh.ports import load


def daprd_argv(prof: str, app: str) -> list[str]:
    ports = load().apps[app]
    config = "gateway-config.yaml" if app == "gateway" else "config.yaml"
    return [
        str(bootstrap.daprd_bin()),
        "--app-id",
        app,
        "--app-port",
        str(ports.app),
        "--app-protocol",
        "http" if app == "gateway" else "grpc",
        "--app-channel-address",
        LOOPBACK,
        "--dapr-listen-addresses",
        LOOPBACK,
        "--dapr-http-port",
        str(ports.http),
        "--dapr-grpc-port",
        str(ports.grpc),
        "--dapr-internal-grpc-port",
        str(ports.internal),
        "--dapr-internal-grpc-listen-address",
        LOOPBACK,
        "--metrics-port",
        str(ports.metrics),
        "--metrics-listen-address",
        LOOPBACK,
        "--resources-path",
        str(REPO / "components" / prof),
        "--resources-path",
        str(REPO / "dapr" / "resiliency"),
        "--config",
        str(render_dapr_config(prof, config)),
        "--placement-host-address",
        "",
        "--scheduler-host-address",
        "",
        "--log-level",
        os.environ.get("DAPR_LOG_LEVEL", "warn"),
        "--dapr-graceful-shutdown-seconds",
        "5",
    ]
