"""buf, the protobuf linter and breaking-change detector of `make lint`."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir
from devmesh.paths import BIN


def binary() -> Path:
    return BIN / f"buf-{pins.BUF}"


def install() -> None:
    src = go_module_dir("buf", "github.com/bufbuild/buf", pins.BUF)
    go_build("buf", src, binary(), "./cmd/buf")


PART = Part(
    "buf",
    f"buf {pins.BUF}, proto lint and breaking-change checks (Go module)",
    lambda: binary().exists(),
    install,
    "~4 min on 2 cores",
)
