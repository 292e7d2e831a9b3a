"""The overlays as the cluster would receive them: `kustomize build`, by the
kustomize the bootstrap built."""

from __future__ import annotations

import subprocess
from functools import cache
from typing import Any

import yaml

from devmesh import bootstrap
from devmesh.k8s import OVERLAY_PROFILES
from devmesh.paths import REPO

OVERLAYS = tuple(OVERLAY_PROFILES)
Doc = dict[str, Any]


def tool(path: Any) -> str:
    if not path.exists():
        raise AssertionError(f"{path} is missing: run `python3 -m devmesh.bootstrap`")
    return str(path)


@cache
def build_text(overlay: str) -> str:
    kustomize = tool(bootstrap.kustomize_bin())
    folder = REPO / "deploy" / "overlays" / overlay
    return subprocess.run(
        [kustomize, "build", str(folder)], capture_output=True, text=True, check=True
    ).stdout


def build(overlay: str) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(build_text(overlay)) if doc]


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == kind]


def app_deployments(docs: list[Doc]) -> dict[str, Doc]:
    """The Dapr-enabled Deployments, by app id."""
    found = {}
    for doc in of_kind(docs, "Deployment"):
        notes = doc["spec"]["template"]["metadata"].get("annotations", {})
        if notes.get("dapr.io/enabled") == "true":
            found[notes["dapr.io/app-id"]] = doc
    return found
