"""kubeconform, which validates every rendered object of deploy/ offline
against the JSON schemas of the k8s_schemas part."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN


def binary() -> Path:
    return BIN / f"kubeconform-{pins.KUBECONFORM}"


def install() -> None:
    src = go_module_dir("kubeconform", "github.com/yannh/kubeconform", pins.KUBECONFORM)
    go_build("kubeconform", src, binary(), "./cmd/kubeconform")


PART = Part(
    "kubeconform",
    f"kubeconform {pins.KUBECONFORM}, offline manifest validation (Go module)",
    lambda: binary().exists(),
    install,
    "~1 min on 2 cores",
)
