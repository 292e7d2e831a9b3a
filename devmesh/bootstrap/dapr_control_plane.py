"""The Dapr operator and sidecar injector for the API-server tier
(`make test-k8s`), built from the same dapr module as daprd and Sentry."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.daprd import dapr_source
from devmesh.bootstrap.shared import Part, go_build
from devmesh.paths import BIN

COMMANDS = ("operator", "injector")


def binary(command: str) -> Path:
    return BIN / f"dapr-{command}-{pins.DAPR}"


def install() -> None:
    src = dapr_source("dapr-control-plane")
    version = f"-X github.com/dapr/dapr/pkg/buildinfo.version={pins.DAPR}"
    for command in COMMANDS:
        go_build(
            "dapr-control-plane",
            src,
            binary(command),
            f"./cmd/{command}",
            ldflags=version,
        )


PART = Part(
    "dapr-control-plane",
    f"Dapr operator and sidecar injector {pins.DAPR} (Go module, `make test-k8s`)",
    lambda: all(binary(c).exists() for c in COMMANDS),
    install,
    "~4 min on 2 cores",
    optional=True,
)
