"""kustomize, which builds deploy/overlays/* into plain manifests
(tests/k8s, Tilt's cluster mode)."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN


def binary() -> Path:
    return BIN / f"kustomize-{pins.KUSTOMIZE}"


def install() -> None:
    src = go_module_dir(
        "kustomize", "sigs.k8s.io/kustomize/kustomize/v5", pins.KUSTOMIZE
    )
    version = f"-X sigs.k8s.io/kustomize/api/provenance.version=v{pins.KUSTOMIZE}"
    go_build("kustomize", src, binary(), ".", ldflags=version)


PART = Part(
    "kustomize",
    f"kustomize {pins.KUSTOMIZE}, builds the deploy/ overlays (Go module)",
    lambda: binary().exists(),
    install,
    "~2 min on 2 cores",
)
