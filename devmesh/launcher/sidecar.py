"""The daprd command line and environment of each app's sidecar.

Every sidecar talks to the others over mTLS (unless DAPR_MTLS=false, see
mtls.py): its workload certificate comes
from Sentry (on loopback), which signs it only for the app id its JWT names;
DAPR_TRUST_ANCHORS carries the CA certificate as PEM text (daprd has no file
flag for it).

Every sidecar checks its app's health (Dapr's app health check; on by
default, DAPRSHOP_APP_HEALTH=off turns it off): it probes the gRPC
`HealthCheck` callback (the gateway: GET /healthz) every APP_HEALTH_INTERVAL
seconds, and after APP_HEALTH_THRESHOLD failures in a row marks the app
unhealthy: it stops delivering the app's events (the broker keeps them) until
a probe succeeds, then subscribes again. A hung app (SIGSTOP) is noticed
within about interval x threshold seconds. From then on, calls proxied to it
are refused at once with UNAVAILABLE by its sidecar (a fix our daprd build
carries, devmesh/bootstrap/daprd_patch_health.py: upstream daprd 1.18 checks
app health on its InvokeService API only, and a call to a hung app waited for
the caller's deadline and ended DEADLINE_EXCEEDED; fault test F13).

Resubscribing on Kafka needs the other fix our daprd build carries
(devmesh/bootstrap/daprd_patch.py): without it the old subscription could
remove the new one's handler, and the app never got that topic again (F11
once lost 112 of 150 emails).
"""

from __future__ import annotations

import os

from devmesh import bootstrap, trust
from devmesh.launcher.dapr_config import render_app_config
from devmesh.launcher.env import app_env
from devmesh.launcher.mtls import mtls_enabled
from devmesh.launcher.spec import LOOPBACK
from devmesh.paths import REPO, run_dir
from devmesh.ports import load

APP_HEALTH_INTERVAL = 2  # seconds between probes
APP_HEALTH_TIMEOUT_MS = 1000  # a probe slower than this failed
APP_HEALTH_THRESHOLD = 3  # failed probes in a row before "unhealthy"
GATEWAY_HEALTH_PATH = "/healthz"  # the services answer the gRPC callback


def app_health_args(app: str) -> list[str]:
    if os.environ.get("DAPRSHOP_APP_HEALTH", "on") == "off":
        return []
    args = [
        "--enable-app-health-check",
        "--app-health-probe-interval",
        str(APP_HEALTH_INTERVAL),
        "--app-health-probe-timeout",
        str(APP_HEALTH_TIMEOUT_MS),
        "--app-health-threshold",
        str(APP_HEALTH_THRESHOLD),
    ]
    if app == "gateway":
        args += ["--app-health-check-path", GATEWAY_HEALTH_PATH]
    return args


def mtls_args(prof: str) -> list[str]:
    """mTLS with a Sentry certificate, unless DAPR_MTLS=false (launcher/mtls.py)."""
    if not mtls_enabled(prof):
        return []
    return ["--enable-mtls", "--sentry-address", f"{LOOPBACK}:{load().sentry}"]


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
        *app_health_args(app),
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
        *mtls_args(prof),
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
