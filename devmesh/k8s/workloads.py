"""Each app's ServiceAccount, Service and Deployment, from devmesh/ports.yaml.

The Dapr sidecar is not in these manifests: the Dapr sidecar injector adds it
to every Pod annotated `dapr.io/enabled`, configured by the annotations below
(app id, port and protocol, Configuration, API-token Secrets, log level,
sidecar resources). The apps listen on 127.0.0.1 only (their sidecar is in
the same Pod), so their probes run inside the container; the gateway alone
listens on the Pod's address (BIND_HOST), behind its Service.
"""

from __future__ import annotations

from typing import Any

from devmesh.images import names as images
from devmesh.k8s import NAMESPACE, PART_OF
from devmesh.launcher import sidecar
from devmesh.launcher.dapr_config import config_name
from devmesh.ports import APP_NAMES, load

Doc = dict[str, Any]
# The container's user: the one `make images` (and deploy/Dockerfile) set.
USER_ID = images.UID
SIDECAR_METRICS = 9090
GATEWAY_SERVICE_PORT = 80
CONFIG_BASE = {"gateway": "daprshop-gateway"}
RESOURCES = {
    "requests": {"cpu": "50m", "memory": "128Mi"},
    "limits": {"cpu": "1", "memory": "512Mi"},
}
SIDECAR_RESOURCES = {
    "dapr.io/sidecar-cpu-request": "50m",
    "dapr.io/sidecar-cpu-limit": "500m",
    "dapr.io/sidecar-memory-request": "64Mi",
    "dapr.io/sidecar-memory-limit": "256Mi",
}


def labels(app: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": PART_OF}


def api_token_secret(app: str) -> str:
    """Secret (key `token`) the app presents to its sidecar (DAPR_API_TOKEN)."""
    return f"{app}-dapr-api-token"


def app_token_secret(app: str) -> str:
    """Secret (key `token`) the sidecar presents to the app (APP_API_TOKEN)."""
    return f"{app}-app-api-token"


def _meta(app: str, kind: str, api: str) -> Doc:
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": app, "namespace": NAMESPACE, "labels": labels(app)},
    }


def dapr_annotations(app: str) -> dict[str, str]:
    base = CONFIG_BASE.get(app, "daprshop")
    return {
        "dapr.io/enabled": "true",
        "dapr.io/app-id": app,
        "dapr.io/app-port": str(load(0).apps[app].app),
        "dapr.io/app-protocol": "http" if app == "gateway" else "grpc",
        "dapr.io/config": config_name(base, app),
        "dapr.io/api-token-secret": api_token_secret(app),
        "dapr.io/app-token-secret": app_token_secret(app),
        "dapr.io/log-level": "info",
        "dapr.io/graceful-shutdown-seconds": "5",
        # Only the `secrets` component serves secrets (scoped per app in the
        # Configuration); the built-in store would expose every Secret of the
        # namespace to an app allowed the secrets API.
        "dapr.io/disable-builtin-k8s-secret-store": "true",
        "dapr.io/sidecar-seccomp-profile-type": "RuntimeDefault",
        # Our daprd (`make images`): it carries devmesh/bootstrap's two fixes,
        # which the app health checks below need (Kafka resubscription, and
        # calls to an unhealthy app refused at once).
        "dapr.io/sidecar-image": images.ref(images.DAPRD),
        **app_health_annotations(app),
        **SIDECAR_RESOURCES,
    }


def app_health_annotations(app: str) -> dict[str, str]:
    """Dapr's app health checks, as the local sidecars run them
    (devmesh/launcher/sidecar.py)."""
    notes = {
        "dapr.io/enable-app-health-check": "true",
        "dapr.io/app-health-probe-interval": str(sidecar.APP_HEALTH_INTERVAL),
        "dapr.io/app-health-probe-timeout": str(sidecar.APP_HEALTH_TIMEOUT_MS),
        "dapr.io/app-health-threshold": str(sidecar.APP_HEALTH_THRESHOLD),
    }
    if app == "gateway":
        notes["dapr.io/app-health-check-path"] = sidecar.GATEWAY_HEALTH_PATH
    return notes


def _token_env(name: str, secret: str) -> Doc:
    return {
        "name": name,
        "valueFrom": {"secretKeyRef": {"name": secret, "key": "token"}},
    }


def _probe(app: str, path: str, period: int) -> Doc:
    """The gateway's own HTTP health routes; a service's gRPC health callback
    asked from inside its container (`common.probe`: it listens on loopback)."""
    timing = {"periodSeconds": period, "timeoutSeconds": 3, "failureThreshold": 3}
    if app == "gateway":
        return {"httpGet": {"path": path, "port": "http"}, **timing}
    mode = "ready" if path == "/readyz" else "live"
    return {"exec": {"command": ["python", "-m", "common.probe", mode]}, **timing}


def container(app: str) -> Doc:
    ports = load(0).apps[app]
    module = "gateway" if app == "gateway" else f"services.{app}"
    env = [
        {"name": "APP_ID", "value": app},
        {"name": "APP_PORT", "value": str(ports.app)},
        _token_env("DAPR_API_TOKEN", api_token_secret(app)),
        _token_env("APP_API_TOKEN", app_token_secret(app)),
    ]
    if app == "gateway":
        env.append({"name": "BIND_HOST", "value": "0.0.0.0"})
    return {
        # One name for every app's container, so an overlay patches them all;
        # one image per app (`make images`).
        "name": "app",
        "image": images.ref(app),
        "command": ["python", "-m", module],
        "env": env,
        "envFrom": [{"configMapRef": {"name": "daprshop-env"}}],
        **(
            {"ports": [{"name": "http", "containerPort": ports.app}]}
            if app == "gateway"
            else {}
        ),
        "startupProbe": {**_probe(app, "/healthz", 2), "failureThreshold": 30},
        "livenessProbe": _probe(app, "/healthz", 20),
        "readinessProbe": _probe(app, "/readyz", 10),
        "resources": RESOURCES,
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def deployment(app: str) -> Doc:
    doc = _meta(app, "Deployment", "apps/v1")
    doc["spec"] = {
        "replicas": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
        "template": {
            "metadata": {"labels": labels(app), "annotations": dapr_annotations(app)},
            "spec": {
                "serviceAccountName": app,
                # The app talks to no API server; daprd gets its own projected
                # token from the injector.
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": USER_ID,
                    "runAsGroup": USER_ID,
                    "fsGroup": USER_ID,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "terminationGracePeriodSeconds": 30,
                "containers": [container(app)],
                "volumes": [{"name": "tmp", "emptyDir": {}}],
            },
        },
    }
    return doc


def service(app: str) -> Doc:
    """The domain services are reached only through Dapr (the operator's
    `<app>-dapr` Service); theirs exposes the sidecar's metrics. The
    gateway's also carries the public HTTP port."""
    doc = _meta(app, "Service", "v1")
    ports: list[Doc] = [
        {"name": "metrics", "port": SIDECAR_METRICS, "targetPort": SIDECAR_METRICS}
    ]
    if app == "gateway":
        ports.insert(
            0, {"name": "http", "port": GATEWAY_SERVICE_PORT, "targetPort": "http"}
        )
    doc["spec"] = {"selector": {"app.kubernetes.io/name": app}, "ports": ports}
    return doc


def service_account(app: str) -> Doc:
    doc = _meta(app, "ServiceAccount", "v1")
    doc["automountServiceAccountToken"] = False
    return doc


def workloads(app: str) -> list[Doc]:
    return [service_account(app), service(app), deployment(app)]


def all_apps() -> dict[str, list[Doc]]:
    return {app: workloads(app) for app in APP_NAMES}
