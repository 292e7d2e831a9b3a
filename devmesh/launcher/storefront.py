"""The storefront resource: the web app's built bundle, served by a small
static server (devmesh/storefront_server.py) that also answers /config.json,
the addresses the app needs (gateway, OIDC provider), shifted with the ports.

Under Tilt the same resource runs Vite's dev server (hot reload) instead, on
the same port; tilt/mesh/Tiltfile swaps the command.
"""

from __future__ import annotations

import os
import sys

from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.paths import REPO
from devmesh.ports import load

STOREFRONT = REPO / "storefront"
CLIENT_ID = "daprshop-storefront"


def storefront_env() -> dict[str, str]:
    """What the app is told at /config.json (by either server)."""
    p = load()
    return {
        "STOREFRONT_PORT": str(p.storefront),
        "STOREFRONT_GRAPHQL_URL": f"http://{LOOPBACK}:{p.apps['gateway'].app}/graphql",
        "STOREFRONT_OIDC_ISSUER": f"http://{LOOPBACK}:{p.oidc}/shop",
        "STOREFRONT_OIDC_CLIENT_ID": CLIENT_ID,
        "STOREFRONT_MAILPIT_URL": f"http://{LOOPBACK}:{p.mailpit_http}",
    }


def dev_server_argv() -> list[str]:
    """Vite's dev server (hot reload), after the typed operations are made."""
    return [
        "sh",
        "-c",
        "cd storefront && node_modules/.bin/graphql-codegen --config codegen.ts"
        " && exec node_modules/.bin/vite",
    ]


def storefront_spec() -> Proc:
    """The built bundle, or Vite's dev server when STOREFRONT_DEV=1 (Tilt)."""
    port = load().storefront
    dev = os.environ.get("STOREFRONT_DEV") == "1"
    return Proc(
        "storefront",
        ready_url=f"http://{LOOPBACK}:{port}/config.json",
        deps=("gateway",),
        labels=("web",),
        links=((f"http://{LOOPBACK}:{port}/", "Storefront"),),
        argv=dev_server_argv()
        if dev
        else [sys.executable, "-m", "devmesh.storefront_server"],
        env=storefront_env(),
    )
