"""The dev overlay on a real kube-apiserver, with the real Dapr control plane:
the API server accepts every object (CRD instances included) under strict
field validation, the real sidecar injector adds daprd to each app's Pods as
the annotations ask, and the operator serves the Components to a daprd."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from devmesh.images import names as images
from devmesh.k8s import NAMESPACE
from devmesh.launcher.sidecar import APP_HEALTH_THRESHOLD
from devmesh.ports import APP_NAMES, load
from tests.k8s.api.conftest import Applied, Cluster
from tests.k8s.api.kube import ApplyRefused
from tests.k8s.manifests import app_deployments, of_kind

pytestmark = pytest.mark.k8s_api


def test_every_object_of_the_dev_overlay_is_accepted(applied: Applied) -> None:
    assert applied.refused == []
    kinds = {d["kind"] for d in applied.accepted}
    assert {
        "Component",
        "Configuration",
        "Resiliency",
        "Deployment",
        "StatefulSet",
    } <= kinds


@pytest.mark.parametrize("kind", ["Component", "Deployment"])
def test_strict_validation_refuses_an_unknown_field(
    cluster: Cluster, applied: Applied, kind: str
) -> None:
    doc = copy.deepcopy(of_kind(applied.docs, kind)[0])
    doc["spec"]["typo"] = "x"
    # Built-in kinds answer `unknown field`; a CRD's structural schema makes
    # server-side apply answer `field not declared in schema`.
    with pytest.raises(ApplyRefused, match=r"unknown field|not declared in schema"):
        cluster.kube.apply(doc)


def pods_of(cluster: Cluster, app: str) -> list[dict[str, Any]]:
    pods = cluster.kube.list("v1", "Pod", NAMESPACE)
    return [
        p for p in pods if p["metadata"]["labels"].get("app.kubernetes.io/name") == app
    ]


def sidecar(pod: dict[str, Any]) -> dict[str, Any]:
    (daprd,) = [c for c in pod["spec"]["containers"] if c["name"] == "daprd"]
    return daprd


def flag(container: dict[str, Any], name: str) -> str:
    args = container["args"]
    return str(args[args.index(name) + 1])


@pytest.mark.parametrize("app", APP_NAMES)
def test_the_injector_adds_daprd_to_the_apps_pods(
    cluster: Cluster, applied: Applied, app: str
) -> None:
    (pod,) = cluster.kube.wait_for(f"a Pod of {app}", lambda: pods_of(cluster, app))
    notes = app_deployments(applied.docs)[app]["spec"]["template"]["metadata"][
        "annotations"
    ]
    daprd = sidecar(pod)
    assert flag(daprd, "--app-id") == app
    assert flag(daprd, "--app-port") == str(load(0).apps[app].app)
    assert flag(daprd, "--app-protocol") == notes["dapr.io/app-protocol"]
    assert flag(daprd, "--config") == notes["dapr.io/config"]
    assert flag(daprd, "--mode") == "kubernetes"
    env = {e["name"]: e for e in daprd["env"]}
    token = env["DAPR_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == {"name": f"{app}-dapr-api-token", "key": "token"}
    app_token = env["APP_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert app_token == {"name": f"{app}-app-api-token", "key": "token"}
    assert daprd["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    # Dapr's app health checks, as the local sidecars run them.
    assert "--enable-app-health-check" in daprd["args"]
    assert flag(daprd, "--app-health-threshold") == str(APP_HEALTH_THRESHOLD)
    # The images `make images` builds: the app's own and, as the Deployment's
    # `dapr.io/sidecar-image` asks, our daprd.
    (container,) = [c for c in pod["spec"]["containers"] if c["name"] == "app"]
    assert container["image"] == images.ref(app)
    assert daprd["image"] == images.ref(images.DAPRD)


def secret_value(cluster: Cluster, name: str, key: str) -> str:
    secret = cluster.kube.get("v1", "Secret", name, NAMESPACE)
    assert secret is not None, name
    return base64.b64decode(secret["data"][key]).decode()
