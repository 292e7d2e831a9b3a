"""vegeta, the open-loop HTTP load tool of `make bench`."""

from __future__ import annotations

from pathlib import Path

from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN

VERSION = "12.12.0"


def binary() -> Path:
    return BIN / f"vegeta-{VERSION}"


def install() -> None:
    src = go_module_dir("vegeta", "github.com/tsenart/vegeta/v12", VERSION)
    go_build("vegeta", src, binary(), ".", ldflags=f"-X main.Version={VERSION}")


PART = Part(
    "vegeta",
    f"vegeta {VERSION}, HTTP load tool for `make bench` (Go module)",
    lambda: binary().exists(),
    install,
    "~1 min",
    optional=True,
)
