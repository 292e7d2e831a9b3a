"""The prod overlay's per-app objects: PodDisruptionBudgets,
HorizontalPodAutoscalers and NetworkPolicies (deny by default, then exactly
the traffic the mesh needs, with ports from devmesh/ports.yaml and the Dapr
control plane's)."""

from __future__ import annotations

from typing import Any

from devmesh.k8s import NAMESPACE, PART_OF
from devmesh.k8s.workloads import SIDECAR_METRICS, labels
from devmesh.ports import APP_NAMES, load

Doc = dict[str, Any]
DAPR_NAMESPACE = "dapr-system"
# daprd -> control plane: Sentry, operator, placement, scheduler (Pod ports).
DAPR_CONTROL_PLANE_PORTS = (50001, 6500, 50005, 50006)
DAPR_INTERNAL_GRPC = 50002
# Managed services outside the cluster: TLS (Vault, Twilio, OIDC), Vault,
# Kafka, Redis (plain/TLS), MySQL, MongoDB, SMTP submission.
EXTERNAL_PORTS = (443, 8200, 9092, 9093, 9094, 9096, 6379, 6380, 3306, 27017, 465, 587)
MAX_REPLICAS = {"gateway": 6, "notification": 3}
SELECT_APPS = {"matchLabels": {"app.kubernetes.io/part-of": PART_OF}}


def _meta(name: str, kind: str, api: str, app: str | None = None) -> Doc:
    meta: Doc = {"name": name, "namespace": NAMESPACE}
    meta["labels"] = labels(app) if app else {"app.kubernetes.io/part-of": PART_OF}
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def disruption_budget(app: str) -> Doc:
    doc = _meta(app, "PodDisruptionBudget", "policy/v1", app)
    doc["spec"] = {
        "minAvailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
    }
    return doc


def autoscaler(app: str) -> Doc:
    doc = _meta(app, "HorizontalPodAutoscaler", "autoscaling/v2", app)
    cpu = {"type": "Utilization", "averageUtilization": 70}
    doc["spec"] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
        "minReplicas": 2,
        "maxReplicas": MAX_REPLICAS.get(app, 4),
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": cpu}}],
    }
    return doc


def _ports(*numbers: int, protocol: str = "TCP") -> list[Doc]:
    return [{"protocol": protocol, "port": n} for n in numbers]


def _namespace(name: str) -> Doc:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _policy(name: str, spec: Doc) -> Doc:
    doc = _meta(name, "NetworkPolicy", "networking.k8s.io/v1")
    doc["spec"] = spec
    return doc


def network_policies() -> list[Doc]:
    gateway_port = load(0).apps["gateway"].app
    mesh_peer = {"podSelector": SELECT_APPS}
    return [
        _policy(
            "default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        ),
        _policy(
            "sidecars",
            {
                "podSelector": SELECT_APPS,
                "policyTypes": ["Ingress", "Egress"],
                # sidecar <-> sidecar (service invocation, mTLS)
                "ingress": [{"from": [mesh_peer], "ports": _ports(DAPR_INTERNAL_GRPC)}],
                "egress": [
                    {"to": [mesh_peer], "ports": _ports(DAPR_INTERNAL_GRPC)},
                    {
                        "to": [_namespace(DAPR_NAMESPACE)],
                        "ports": _ports(*DAPR_CONTROL_PLANE_PORTS),
                    },
                    {
                        "to": [_namespace("kube-system")],
                        "ports": _ports(53, protocol="UDP") + _ports(53),
                    },
                    # The managed services: narrow `0.0.0.0/0` to their
                    # addresses where the provider publishes them.
                    {
                        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                        "ports": _ports(*EXTERNAL_PORTS),
                    },
                ],
            },
        ),
        _policy(
            "gateway-ingress",
            {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}},
                "policyTypes": ["Ingress"],
                "ingress": [{"ports": _ports(gateway_port)}],
            },
        ),
        _policy(
            "metrics-scraping",
            {
                "podSelector": SELECT_APPS,
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [_namespace("monitoring")],
                        "ports": _ports(SIDECAR_METRICS),
                    }
                ],
            },
        ),
    ]


def disruption_budgets() -> list[Doc]:
    return [disruption_budget(app) for app in APP_NAMES]


def autoscalers() -> list[Doc]:
    return [autoscaler(app) for app in APP_NAMES]
