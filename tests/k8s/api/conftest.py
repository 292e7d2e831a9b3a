"""The API-server tier's cluster: etcd, kube-apiserver, kube-controller-manager
and the Dapr control plane, started once per session inside the private
network namespace `python -m tests.k8s.api.netns` (make test-k8s) creates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devmesh.k8s import secrets
from tests.k8s.api import apiserver, daprcp
from tests.k8s.api.kube import ApplyRefused, Doc, Kube
from tests.k8s.api.netns import in_private_netns
from tests.k8s.api.processes import Processes
from tests.k8s.manifests import build


@dataclass
class Cluster:
    procs: Processes
    kube: Kube
    anchors: Path


@dataclass
class Applied:
    docs: list[Doc]
    accepted: list[Doc]
    refused: list[str]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not in_private_netns():
        pytest.fail(
            "run the k8s_api tier through `make test-k8s` (tests/k8s/api/netns.py)"
        )
    procs = Processes(tmp_path_factory.mktemp("k8s-api"))
    try:
        config = apiserver.start(procs)
        kube = Kube(apiserver.SERVER, apiserver.TOKEN, apiserver.ca_file(procs.run))
        anchors = daprcp.start(procs, kube, config)
        yield Cluster(procs, kube, anchors)
        kube.close()
    finally:
        procs.stop()


@pytest.fixture(scope="session")
def applied(cluster: Cluster) -> Applied:
    """The dev overlay, server-side applied with strict field validation, after
    the API-token Secrets a cluster operator would create."""
    docs = build("dev")
    ordered = sorted(docs, key=lambda d: d["kind"] != "Namespace")
    accepted, refused = [], []
    for doc in ordered[:1] + secrets.token_secrets() + ordered[1:]:
        try:
            accepted.append(cluster.kube.apply(doc))
        except ApplyRefused as err:
            refused.append(str(err))
    return Applied(docs, accepted, refused)
