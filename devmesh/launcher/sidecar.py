"""The daprd command line and environment of each app's sidecar.

Every sidecar talks to the others over mTLS: its workload certificate comes
from Sentry (on loopback), which signs it only for the app id its JWT names;
DAPR_TRUST_ANCHORS carries the CA certificate as PEM text (daprd has no file
flag for it).
"""

from __future__ import annotations

import os

from devmesh import bootstrap, trust
from devmesh.launcher.dapr_config import render_app_config
from devmesh.launcher.env import app_env
from devmesh.launcher.spec import LOOPBACK
from devmesh.paths import REPO, run_dir
from devmesh.ports import load


def daprd_argv(prof: str, app: str) -> list[str]:
    p = load()
    ports = p.apps[app]
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
        str(render_app_config(prof, app)),
        "--enable-mtls",
        "--sentry-address",
        f"{LOOPBACK}:{p.sentry}",
        "--placement-host-address",
        "",
        "--scheduler-host-address",
        "",
        "--log-level",
        os.environ.get("DAPR_LOG_LEVEL", "warn"),
        "--dapr-graceful-shutdown-seconds",
        "5",
    ]


def sidecar_env(prof: str, app: str) -> dict[str, str]:
    """The app's environment plus what only its sidecar gets: the trust anchor
    and the file holding its freshly minted Sentry token."""
    tokens = run_dir(prof) / "sentry-tokens"
    return {
        **app_env(prof, app),
        "DAPR_HOST_IP": LOOPBACK,
        "DAPR_TRUST_ANCHORS": trust.trust_anchors(),
        "DAPR_SENTRY_TOKEN_FILE": str(trust.write_sentry_token(app, tokens)),
    }
