"""The operator serves the Components to a daprd that asks for them: the
daprd the injector put into product's Pod, run as a process with the
arguments and environment of that container (no kubelet runs it), gets its
certificate from Sentry with a token bound to the Pod, then its
Configuration and Components from the operator."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from devmesh import access, bootstrap
from devmesh.k8s import NAMESPACE
from tests.k8s.api import backing
from tests.k8s.api.conftest import Applied, Cluster
from tests.k8s.api.test_apiserver import pods_of, sidecar

pytestmark = pytest.mark.k8s_api
APP = "product"
FIELDS = {
    "status.podIP": "127.0.0.1",
    "status.hostIP": "127.0.0.1",
}


def _env(
    cluster: Cluster, pod: dict[str, Any], container: dict[str, Any]
) -> dict[str, str]:
    """The container's environment as the kubelet would resolve it."""
    meta = pod["metadata"]
    fields = {
        **FIELDS,
        "metadata.name": meta["name"],
        "metadata.namespace": meta["namespace"],
    }
    env = {}
    for item in container["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        source = item["valueFrom"]
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            secret = cluster.kube.get("v1", "Secret", ref["name"], NAMESPACE)
            assert secret is not None, ref
            env[item["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
        else:
            env[item["name"]] = fields[source["fieldRef"]["fieldPath"]]
    return env


def _sentry_audience(pod: dict[str, Any]) -> str:
    for volume in pod["spec"]["volumes"]:
        for source in volume.get("projected", {}).get("sources", []):
            if "serviceAccountToken" in source:
                return str(source["serviceAccountToken"]["audience"])
    raise AssertionError(
        f"no projected service-account token: {pod['spec']['volumes']}"
    )


def test_the_operator_serves_the_components_to_daprd(
    cluster: Cluster, applied: Applied
) -> None:
    assert applied.refused == []
    (pod,) = cluster.kube.wait_for("product's Pod", lambda: pods_of(cluster, APP))
    daprd = sidecar(pod)
    env = _env(cluster, pod, daprd)
    token = cluster.kube.token(
        NAMESPACE, pod["spec"]["serviceAccountName"], pod, _sentry_audience(pod)
    )
    token_file = cluster.procs.run / "product-sentry.token"
    token_file.write_text(token)
    env["DAPR_SENTRY_TOKEN_FILE"] = str(token_file)
    env["DAPR_UNSAFE_SKIP_CONTAINER_UID_GID_CHECK"] = "true"  # the tier runs as root
    # daprd takes the Pod IP from its network interface; here there is only lo.
    env["DAPR_HOST_IP"] = FIELDS["status.podIP"]
    backing.start(cluster.procs)
    cluster.procs.start(
        "daprd-product", [str(bootstrap.daprd_bin()), *daprd["args"]], env
    )
    headers = {"dapr-api-token": env["DAPR_API_TOKEN"]}

    def components() -> set[str]:
        body = httpx.get(
            "http://127.0.0.1:3500/v1.0/metadata", headers=headers, timeout=2
        ).json()
        return {c["name"] for c in body.get("components", [])}

    cluster.procs.wait("daprd-product", lambda: bool(components()), timeout=90)
    scoped = {name for name, apps in access.COMPONENTS.items() if APP in apps}
    assert components() == scoped
