"""daprd, the Dapr sidecar, built from the dapr Go module with only the
component types of devmesh/daprd_components.py compiled in, and two fixes
applied by a build overlay: to the Kafka component (daprd_patch.py) and to the
gRPC proxy's app health check (daprd_patch_health.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from devmesh import daprd_components, pins
from devmesh.bootstrap import daprd_patch
from devmesh.bootstrap.shared import (
    Part,
    StepFailed,
    go_build,
    go_module_dir,
    go_module_download,
    sh,
)
from devmesh.paths import BIN

MODULE = "github.com/dapr/dapr"


def binary() -> Path:
    """The trimmed daprd; its name changes with the kept component set and
    with the patch."""
    kept, patch = daprd_components.digest(), daprd_patch.digest()
    return BIN / f"daprd-{pins.DAPR}-{kept}-p{patch}"


def dapr_source(part: str) -> Path:
    """A writable copy of the dapr module, with the durabletask-go replacement
    the reachable module proxy needs (see pins.DAPR_DURABLETASK)."""
    src = go_module_dir(part, MODULE, pins.DAPR)
    durabletask = "github.com/dapr/durabletask-go"
    replace = f"{durabletask}={durabletask}@{pins.DAPR_DURABLETASK}"
    sh(part, ["go", "mod", "edit", "-replace", replace], cwd=src)
    return src


def _keep_only_kept_registrations(src: Path) -> None:
    """Leave in cmd/daprd/components/ only the files of daprd_components.KEPT.

    The folder is first restored from the pristine module, so a set that grows
    later finds its files again.
    """
    folder = src / "cmd/daprd/components"
    pristine = go_module_download("daprd", MODULE, pins.DAPR) / "cmd/daprd/components"
    wanted = daprd_components.kept_files()
    missing = [name for name in wanted if not (pristine / name).exists()]
    if missing:
        raise StepFailed(
            f"daprd: no registration file {', '.join(missing)} in dapr {pins.DAPR}"
            " (devmesh/daprd_components.py: is the component type spelled right?)"
        )
    for path in folder.glob("*.go"):
        if path.name not in wanted:
            path.unlink()
    for name in wanted:
        shutil.copyfile(pristine / name, folder / name)
        (folder / name).chmod(0o644)


def install() -> None:
    src = dapr_source("daprd")
    # Only the component types we use are compiled in (their files carry the
    # `allcomponents` tag; the tag no longer pulls in the others).
    _keep_only_kept_registrations(src)
    version = f"-X github.com/dapr/dapr/pkg/buildinfo.version={pins.DAPR}"
    go_build(
        "daprd",
        src,
        binary(),
        "./cmd/daprd",
        ldflags=version,
        tags="allcomponents",
        overlay=daprd_patch.overlay(src),
    )


PART = Part(
    "daprd",
    f"daprd {pins.DAPR} (Go module, {len(daprd_components.KEPT)} component"
    " types of devmesh/daprd_components.py)",
    lambda: binary().exists(),
    install,
    "~4 min on 2 cores",
)
