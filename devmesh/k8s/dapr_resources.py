"""Dapr's Kubernetes resources, rendered from the files the local meshes use.

Configurations: dapr/config.yaml (dapr/gateway-config.yaml for the gateway)
with each app's access control, API allow-list and secret scopes from
devmesh/access.py, through the launcher's own `app_config`; only what is
machine-specific differs: the policies name the cluster namespace, and the
`kubernetes` name resolver uses its cluster DNS default instead of the local
address table. Resiliency and Components are the local files with a
namespace added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from devmesh.k8s import NAMESPACE
from devmesh.launcher.dapr_config import app_config, base_config_file, substitute
from devmesh.paths import REPO
from devmesh.ports import APP_NAMES

# What the placeholders of dapr/*.yaml become in a cluster.
VALUES = {
    "TRACE_SAMPLING": "1",
    "METRICS_ENABLED": "true",
    "APP_ADDRESSES": "",
    "RUN_DIR": "/tmp",
    # A Zipkin-compatible collector in the cluster (a Service named `zipkin`);
    # an operator points it elsewhere by patching the Configurations.
    "ZIPKIN_ENDPOINT": "http://zipkin.daprshop.svc.cluster.local:9411/api/v2/spans",
}
NAME_RESOLUTION = {
    "component": "kubernetes",
    "version": "v1",
    # `<app-id>-dapr.<namespace>.svc.cluster.local`: the Service the Dapr
    # operator creates for every Dapr-enabled Deployment.
    "configuration": {"clusterDomain": "cluster.local"},
}

Doc = dict[str, Any]


def _load(path: Path, values: dict[str, str] | None = None) -> list[Doc]:
    text = substitute(path.read_text(), values or {})
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _namespaced(doc: Doc) -> Doc:
    return {**doc, "metadata": {**doc["metadata"], "namespace": NAMESPACE}}


def configuration(app: str) -> Doc:
    (base,) = _load(REPO / "dapr" / base_config_file(app), VALUES)
    doc = app_config(base, app, namespace=NAMESPACE)
    doc["spec"]["nameResolution"] = NAME_RESOLUTION
    return _namespaced(doc)


def configurations() -> list[Doc]:
    return [configuration(app) for app in APP_NAMES]


def resiliencies() -> list[Doc]:
    files = sorted((REPO / "dapr" / "resiliency").glob("*.yaml"))
    return [_namespaced(doc) for path in files for doc in _load(path)]


def components(profile: str) -> list[Doc]:
    files = sorted((REPO / "components" / profile).glob("*.yaml"))
    return [_namespaced(doc) for path in files for doc in _load(path)]
