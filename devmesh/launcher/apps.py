"""The app resources: each domain service (and the gateway) beside its daprd,
and the storefront (a web app, no sidecar) last."""

from __future__ import annotations

import sys

from devmesh.launcher.env import app_env
from devmesh.launcher.kafka import broker_names, uses_kafka
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.launcher.storefront import storefront_spec
from devmesh.launcher.zipkin import base_url as zipkin_base
from devmesh.ports import APP_NAMES, load

APP_DEPS = {
    "user": ("sentry", "mariadb", "redis"),
    "product": ("sentry", "ferretdb", "redis"),
    "order": ("sentry", "mariadb", "redis", "product"),
    "notification": ("sentry", "mailpit", "redis"),
    "cart": ("sentry", "redis", "product"),
    "gateway": ("sentry", "redis", "oidc", "user", "product", "order", "cart"),
}


def app_argv(app: str) -> list[str]:
    module = "gateway" if app == "gateway" else f"services.{app}"
    return [sys.executable, "-m", module]


def app_links(app: str) -> tuple[tuple[str, str], ...]:
    """What Tilt shows beside each app: its front door (gateway), its traces,
    its own metrics and its sidecar's, and its sidecar's metadata (Dapr's
    metadata API needs the sidecar's token, so the app's status port shows it:
    common.sidecar_metadata)."""
    p = load()
    ports = p.apps[app]
    front: tuple[tuple[str, str], ...] = ()
    if app == "gateway":
        front = (
            (f"http://{LOOPBACK}:{ports.app}/graphql", "GraphiQL"),
            (f"http://{LOOPBACK}:{ports.app}/auth/login", "Log in"),
        )
    if app == "notification":
        front = ((f"http://{LOOPBACK}:{p.mailpit_http}/", "Mail"),)
    return (
        *front,
        (f"{zipkin_base()}/zipkin/?serviceName={app}", "Traces"),
        (f"http://{LOOPBACK}:{ports.app_metrics}/metrics", "Metrics"),
        (f"http://{LOOPBACK}:{ports.metrics}/metrics", "daprd metrics"),
        (f"http://{LOOPBACK}:{ports.app_metrics}/dapr/metadata", "Dapr metadata"),
    )


def ready_url(app: str) -> str:
    """The app's own readiness, for Tilt's probe and the test meshes. The
    gateway: its /readyz (Redis, its sidecar's outbound health, the fan-out
    listeners). A service: /readyz on its metrics port (common.status_http),
    answered from the results Dapr's gRPC app health check reads, plus its
    sidecar's /v1.0/healthz; a hung app does not answer it."""
    ports = load().apps[app]
    if app == "gateway":
        return f"http://{LOOPBACK}:{ports.app}/readyz"
    return f"http://{LOOPBACK}:{ports.app_metrics}/readyz"


def app_specs(prof: str) -> dict[str, Proc]:
    broker = broker_names() if uses_kafka(prof) else ()
    specs = {}
    for app in APP_NAMES:
        specs[app] = Proc(
            app,
            ready_url=ready_url(app),
            probe_failures=3 if app == "gateway" else 1,
            deps=(*APP_DEPS[app], *broker),
            labels=("apps",),
            links=app_links(app),
            argv=app_argv(app),
            env=app_env(prof, app),
        )
    specs["storefront"] = storefront_spec()
    return specs
