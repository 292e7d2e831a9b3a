"""FerretDB (MongoDB wire protocol over SQLite), built from its Go module."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN


def binary() -> Path:
    return BIN / f"ferretdb-{pins.FERRETDB}"


def install() -> None:
    # `go install module@version` asks the proxy for the version list, which the
    # proxy here refuses; building from the downloaded module avoids that call.
    src = go_module_dir("ferretdb", "github.com/FerretDB/FerretDB", pins.FERRETDB)
    # FerretDB embeds its version from this file (normally written by its task).
    (src / "build/version/version.txt").write_text(f"v{pins.FERRETDB}\n")
    go_build("ferretdb", src, binary(), "./cmd/ferretdb")


PART = Part(
    "ferretdb",
    f"FerretDB {pins.FERRETDB} (Go module)",
    lambda: binary().exists(),
    install,
    "~4 min",
)
