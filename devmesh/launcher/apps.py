"""The app resources: each domain service (and the gateway) beside its daprd."""

from __future__ import annotations

import sys

from devmesh.launcher.env import app_env
from devmesh.launcher.kafka import broker_names, uses_kafka
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.ports import APP_NAMES, load

APP_DEPS = {
    "user": ("sentry", "mariadb", "redis"),
    "product": ("sentry", "ferretdb", "redis"),
    "order": ("sentry", "mariadb", "redis", "product"),
    "notification": ("sentry", "mailpit", "redis"),
    "gateway": ("sentry", "redis", "oidc", "user", "product", "order"),
}


def app_argv(app: str) -> list[str]:
    module = "gateway" if app == "gateway" else f"services.{app}"
    return [sys.executable, "-m", module]


def app_specs(prof: str) -> dict[str, Proc]:
    p = load()
    broker = broker_names() if uses_kafka(prof) else ()
    specs = {}
    for app in APP_NAMES:
        ports = p.apps[app]
        links: tuple[tuple[str, str], ...] = (
            (f"http://{LOOPBACK}:{ports.http}/v1.0/metadata", "Dapr metadata"),
        )
        if app == "gateway":
            links = ((f"http://{LOOPBACK}:{ports.app}/graphql", "GraphiQL"), *links)
        specs[app] = Proc(
            app,
            ready_url=f"http://{LOOPBACK}:{ports.http}/v1.0/healthz",
            deps=(*APP_DEPS[app], *broker),
            labels=("apps",),
            links=links,
            argv=app_argv(app),
            env=app_env(prof, app),
        )
    return specs
