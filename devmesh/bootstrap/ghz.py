"""ghz, the gRPC load tool of `make bench` (constant-rate mode)."""

from __future__ import annotations

from pathlib import Path

from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN

VERSION = "0.121.0"


def binary() -> Path:
    return BIN / f"ghz-{VERSION}"


def install() -> None:
    src = go_module_dir("ghz", "github.com/bojand/ghz", VERSION)
    go_build("ghz", src, binary(), "./cmd/ghz", ldflags=f"-X main.version={VERSION}")


PART = Part(
    "ghz",
    f"ghz {VERSION}, gRPC load tool for `make bench` (Go module)",
    lambda: binary().exists(),
    install,
    "~2 min",
    optional=True,
)
