"""Each sidecar's Configuration, rendered into the run folder from dapr/*.yaml
and the access table (devmesh/access.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from common import components
from devmesh import access
from devmesh.launcher.mtls import mtls_enabled
from devmesh.launcher.spec import LOOPBACK
from devmesh.launcher.zipkin import spans_url
from devmesh.paths import REPO, run_dir, write_whole
from devmesh.ports import load


def app_addresses_template() -> str:
    """Name resolution as a Go template: each app id -> its sidecar's internal
    gRPC address (an unknown id resolves to nothing, so the call fails)."""
    branches = [
        f'if eq .ID "{app}"}}}}{LOOPBACK}:{ports.internal}'
        for app, ports in load().apps.items()
    ]
    return "{{" + "{{else ".join(branches) + "{{end}}"


def name_resolution(prof: str) -> dict[str, Any] | None:
    """The sqlite resolver when DAPRSHOP_NAME_RESOLUTION=sqlite (None: keep the
    address template of dapr/config.yaml). The template knows one sidecar per
    app id; with sqlite each sidecar registers itself in one shared file, so an
    app id may have several instances (the fault tier's F9 runs two product
    and two order replicas this way) and a caller's sidecar picks one of them
    per call. It costs a query per proxied call, so it is not the default."""
    if os.environ.get("DAPRSHOP_NAME_RESOLUTION", "template") != "sqlite":
        return None
    return {
        "component": "sqlite",
        "version": "v1",
        "configuration": {
            "connectionString": str(run_dir(prof) / "nameresolution.db"),
            # A sidecar that stopped renewing is left out after updateInterval.
            # It renews every updateInterval - timeout, and last_update counts
            # whole seconds, so a renewal may run up to timeout - 1 s late
            # before lookups skip a live sidecar: with "2s"/"1s" that was no
            # slack at all, and on a busy machine order's calls to product
            # failed "no host found with the given ID" (a clean-clone run's
            # F1, F2 and F11). 4 s is the timeout of each lookup query too.
            "updateInterval": "8s",
            "timeout": "4s",
            # No cleanup pass: in daprd 1.18 it deletes the registrations
            # renewed within updateInterval (the live ones, its query compares
            # the wrong way), and every sidecar then exits with "Host
            # registration lost" (all five did, a minute into a fault run with
            # "1m"; the default 1h hits any mesh that lives an hour). Stale
            # rows do no harm: lookups skip them, a restarted sidecar replaces
            # its own.
            "cleanupInterval": "0s",
        },
    }


def metrics_enabled() -> str:
    """Sidecar metrics (Prometheus, on each daprd's metrics port): on unless
    DAPR_METRICS says false/0/no/off."""
    value = os.environ.get("DAPR_METRICS", "true").strip().lower()
    return "false" if value in ("false", "0", "no", "off") else "true"


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace each `${NAME}` of a dapr/*.yaml file by `values[NAME]`."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


def trace_sampling() -> str:
    """The share of new traces recorded, for every daprd and the gateway:
    DAPR_TRACE_SAMPLING, 1 (all) unless set; the bench sets 0."""
    return os.environ.get("DAPR_TRACE_SAMPLING", "1").strip() or "1"


def zipkin_endpoint() -> str:
    """Where every daprd and app sends spans: DAPR_ZIPKIN_ENDPOINT, or the
    mesh's own Zipkin."""
    return os.environ.get("DAPR_ZIPKIN_ENDPOINT", "").strip() or spans_url()


def render_dapr_config(prof: str, name: str) -> Path:
    run = run_dir(prof)
    text = substitute(
        (REPO / "dapr" / name).read_text(),
        {
            "RUN_DIR": str(run),
            "TRACE_SAMPLING": trace_sampling(),
            "ZIPKIN_ENDPOINT": zipkin_endpoint(),
            "METRICS_ENABLED": metrics_enabled(),
            "APP_ADDRESSES": app_addresses_template(),
        },
    )
    return write_whole(run / name, text)


def _access_control(app: str, namespace: str) -> dict[str, Any]:
    """Deny every caller, then allow each listed caller its listed methods."""
    policies = [
        {
            "appId": caller,
            "defaultAction": "deny",
            "trustDomain": access.TRUST_DOMAIN,
            "namespace": namespace,
            "operations": [
                {"name": method, "httpVerb": ["*"], "action": "allow"}
                for method in methods
            ],
        }
        for caller, methods in access.callers_of(app).items()
    ]
    return {
        "defaultAction": "deny",
        "trustDomain": access.TRUST_DOMAIN,
        "policies": policies,
    }


def _api_allowed(app: str) -> list[dict[str, str]]:
    """The building blocks the app uses, over both of its sidecar's APIs."""
    allowed = []
    for name in access.APIS[app]:
        http, grpc = access.API_VERSIONS.get(name, access.STABLE_API_VERSION)
        allowed += [
            {"name": name, "version": http, "protocol": "http"},
            {"name": name, "version": grpc, "protocol": "grpc"},
        ]
    return allowed


def _secret_scopes(app: str) -> list[dict[str, Any]]:
    return [
        {
            "storeName": components.SECRETS,
            "defaultAccess": "deny",
            "allowedSecrets": list(access.SECRETS[app]),
        }
    ]


def base_config_file(app: str) -> str:
    """The file under dapr/ an app's Configuration starts from."""
    return "gateway-config.yaml" if app == "gateway" else "config.yaml"


def config_name(base_name: str, app: str) -> str:
    return f"{base_name}-{app}"


def app_config(
    base: dict[str, Any], app: str, namespace: str = access.NAMESPACE
) -> dict[str, Any]:
    """`base` (a parsed dapr/*.yaml Configuration) plus the app's access
    control, API allow-list and secret scopes, from devmesh/access.py. The
    Kubernetes manifests (devmesh/k8s) are rendered by this same function."""
    doc = {**base, "metadata": dict(base["metadata"]), "spec": dict(base["spec"])}
    doc["metadata"]["name"] = config_name(base["metadata"]["name"], app)
    doc["spec"]["accessControl"] = _access_control(app, namespace)
    doc["spec"]["api"] = {"allowed": _api_allowed(app)}
    doc["spec"]["secrets"] = {"scopes": _secret_scopes(app)}
    return doc


def render_app_config(prof: str, app: str) -> Path:
    """One sidecar's Configuration: the base (dapr/config.yaml, or the
    gateway's) plus its access control, API allow-list and secret scopes.
    With DAPR_MTLS=false, no access control: it needs mTLS identities."""
    base = render_dapr_config(prof, base_config_file(app))
    doc = app_config(yaml.safe_load(base.read_text()), app)
    if not mtls_enabled(prof):
        del doc["spec"]["accessControl"]
    resolver = name_resolution(prof)
    if resolver is not None:
        doc["spec"]["nameResolution"] = resolver
    return write_whole(
        run_dir(prof) / f"config.{app}.yaml",
        "# Rendered by devmesh/launcher/dapr_config.py from devmesh/access.py\n"
        + yaml.safe_dump(doc, sort_keys=False),
    )
