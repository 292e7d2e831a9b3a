"""The Dapr control plane on the tier's API server: the CRDs of the dapr
module's chart, Sentry (Kubernetes mode: its own CA, stored as the chart
stores it, Secret and ConfigMap `dapr-trust-bundle`), the operator and the
sidecar injector, each built from the dapr module.

What the Helm chart's Deployments would give them and a process cannot have
is made by hand: a Pod object per control-plane service (Sentry's validator
checks the Pod behind a token) and a service-account token bound to it, from
the API server's TokenRequest, in a file (DAPR_SENTRY_TOKEN_FILE).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from devmesh import bootstrap, crd_schema, pins
from devmesh.images import names as images
from tests.k8s.api.kube import Kube
from tests.k8s.api.processes import Processes, http_ok

NAMESPACE = "dapr-system"
SENTRY = "dapr-sentry.dapr-system.svc.cluster.local:443"
INJECTOR_URL = "https://dapr-sidecar-injector.dapr-system.svc:4000/mutate"
INJECTOR_TOKEN = Path("/var/run/secrets/dapr.io/sentrytoken/token")
SIDECAR_IMAGE = images.ref(images.DAPRD)  # `make images` builds it
COMMON_ENV = {
    "NAMESPACE": NAMESPACE,
    "DAPR_CONTROL_PLANE_TRUST_DOMAIN": "cluster.local",
    "DAPR_SENTRY_ADDRESS": SENTRY,
    # The tier runs as root; the control plane refuses that unless told.
    "DAPR_UNSAFE_SKIP_CONTAINER_UID_GID_CHECK": "true",
}
Doc = dict[str, Any]


def crds() -> list[Doc]:
    docs = []
    for path in sorted(crd_schema.crd_folder().glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _obj(
    api: str, kind: str, name: str, namespace: str | None = NAMESPACE, **rest: Any
) -> Doc:
    meta: Doc = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api, "kind": kind, "metadata": meta, **rest}


def _control_plane_pod(kube: Kube, service: str) -> Doc:
    """A Pod standing for the control-plane service's process."""
    account = f"dapr-{service}"
    kube.apply(_obj("v1", "ServiceAccount", account))
    pod = _obj("v1", "Pod", f"dapr-{service}-0")
    pod["metadata"]["annotations"] = {"dapr.io/control-plane": service}
    pod["spec"] = {
        "serviceAccountName": account,
        "containers": [{"name": service, "image": f"ghcr.io/dapr/dapr:{pins.DAPR}"}],
    }
    return kube.apply(pod)


def _token_file(kube: Kube, run: Path, service: str) -> Path:
    pod = _control_plane_pod(kube, service)
    token = kube.token(NAMESPACE, f"dapr-{service}", pod, "dapr.io/sentry")
    path = run / f"{service}.token"
    path.write_text(token)
    return path


def _webhook() -> Doc:
    hook = {
        "name": "sidecar-injector.dapr.io",
        "clientConfig": {"url": INJECTOR_URL},
        "rules": [
            {
                "apiGroups": [""],
                "apiVersions": ["v1"],
                "resources": ["pods"],
                "operations": ["CREATE"],
            }
        ],
        "failurePolicy": "Fail",
        "sideEffects": "None",
        "admissionReviewVersions": ["v1", "v1beta1"],
        "objectSelector": {
            "matchExpressions": [
                {
                    "key": "dapr.io/sidecar-injector",
                    "operator": "NotIn",
                    "values": ["disabled"],
                }
            ]
        },
    }
    doc = _obj(
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        "dapr-sidecar-injector",
        None,
    )
    doc["webhooks"] = [hook]
    return doc


def start(procs: Processes, kube: Kube, kubeconfig: Path) -> Path:
    """Start Sentry, the injector and the operator; return the trust anchors."""
    run = procs.run
    kube.apply(_obj("v1", "Namespace", NAMESPACE, None))
    for crd in crds():
        kube.apply(crd)
    kube.wait_for("the Dapr CRDs", lambda: _established(kube), timeout=60)
    system = _obj("dapr.io/v1alpha1", "Configuration", "daprsystem")
    system["spec"] = {
        "mtls": {
            "enabled": True,
            "workloadCertTTL": "24h",
            "allowedClockSkew": "15m",
            "controlPlaneTrustDomain": "cluster.local",
            "sentryAddress": SENTRY,
        }
    }
    kube.apply(system)
    tokens = {s: _token_file(kube, run, s) for s in ("injector", "operator")}
    # Where the injector's Pod would have its projected token: the injector
    # gives Pods one only if it has one itself (tmpfs /run, see netns.py).
    INJECTOR_TOKEN.parent.mkdir(parents=True, exist_ok=True)
    INJECTOR_TOKEN.write_text(tokens["injector"].read_text())
    (run / "sentry-credentials").mkdir()
    # As the chart does: empty, for Sentry to fill with the CA it makes.
    kube.apply(_obj("v1", "Secret", "dapr-trust-bundle"))
    kube.apply(_obj("v1", "ConfigMap", "dapr-trust-bundle"))
    procs.start(
        "sentry",
        [
            str(bootstrap.sentry_bin()),
            "--mode=kubernetes",
            f"--kubeconfig={kubeconfig}",
            "--trust-domain=cluster.local",
            f"--issuer-credentials={run / 'sentry-credentials'}",
            "--listen-address=127.0.0.2",
            "--port=443",
            "--healthz-port=8081",
            "--enable-metrics=false",
        ],
        COMMON_ENV,
    )

    def bundle() -> dict[str, str]:
        found = kube.get("v1", "ConfigMap", "dapr-trust-bundle", NAMESPACE) or {}
        data: dict[str, str] = found.get("data", {})
        return data

    procs.wait("sentry", lambda: "ca.crt" in bundle())
    anchors = run / "ca.crt"
    anchors.write_text(bundle()["ca.crt"])
    kube.apply(_webhook())
    procs.start(
        "injector",
        [
            str(bootstrap.dapr_control_plane_bin("injector")),
            f"--kubeconfig={kubeconfig}",
            "--port=4000",
            "--healthz-port=8083",
            "--enable-metrics=false",
        ],
        {
            **COMMON_ENV,
            "SIDECAR_IMAGE": SIDECAR_IMAGE,
            "KUBE_CLUSTER_DOMAIN": "cluster.local",
            "DAPR_TRUST_ANCHORS_FILE": str(anchors),
            "DAPR_SENTRY_TOKEN_FILE": str(tokens["injector"]),
        },
    )
    procs.wait("injector", http_ok("http://127.0.0.1:8083/healthz"), timeout=60)
    procs.start(
        "operator",
        [
            str(bootstrap.dapr_control_plane_bin("operator")),
            f"-kubeconfig={kubeconfig}",
            "-disable-leader-election",
            "-listen-address=127.0.0.3",
            "-port=443",
            "-healthz-port=8082",
            "-enable-metrics=false",
            f"-trust-anchors-file={anchors}",
        ],
        {**COMMON_ENV, "DAPR_SENTRY_TOKEN_FILE": str(tokens["operator"])},
    )
    procs.wait("operator", http_ok("http://127.0.0.1:8082/healthz"), timeout=60)
    return anchors


def _established(kube: Kube) -> bool:
    for crd in crds():
        found = kube.get(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            crd["metadata"]["name"],
        )
        conditions = (found or {}).get("status", {}).get("conditions", [])
        if not any(
            c["type"] == "Established" and c["status"] == "True" for c in conditions
        ):
            return False
    return True
