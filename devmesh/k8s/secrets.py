"""The Secrets a cluster needs before the apps start, never kept in git: each
app's pair of API tokens (the Dapr sidecar injector reads them by name, see
`dapr.io/api-token-secret` and `dapr.io/app-token-secret` in workloads.py).

    python -m devmesh.k8s secrets | kubectl apply -f -

prints fresh random tokens on every call; apply it once per namespace (or
rotate by applying again and restarting the Deployments).
"""

from __future__ import annotations

import secrets as random
from typing import Any

import yaml

from devmesh.k8s import NAMESPACE, PART_OF
from devmesh.k8s.workloads import api_token_secret, app_token_secret
from devmesh.ports import APP_NAMES


def token_secret(name: str, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": PART_OF},
        },
        "type": "Opaque",
        "stringData": {"token": random.token_urlsafe(32)},
    }


def token_secrets(namespace: str = NAMESPACE) -> list[dict[str, Any]]:
    return [
        token_secret(name(app), namespace)
        for app in APP_NAMES
        for name in (api_token_secret, app_token_secret)
    ]


def manifest(namespace: str = NAMESPACE) -> str:
    return "---\n".join(
        yaml.safe_dump(doc, sort_keys=False) for doc in token_secrets(namespace)
    )
