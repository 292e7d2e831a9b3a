"""Sentry, Dapr's certificate authority, built from the same dapr module (and
the same replacements) as daprd: it signs each sidecar's workload certificate
for mTLS between sidecars.

Sentry's healthz server listens on every interface whatever the flags say
(`net.Listen("tcp", ":<port>")` in pkg/healthz/server). This build replaces
that one file, through `go build -overlay`, with a copy that listens on
127.0.0.1 only; the module's own source stays untouched (daprd shares it).
Sentry's metrics server has the same flaw and no overlay: the launcher turns
it off (`--enable-metrics=false`).
"""

from __future__ import annotations

import json
from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.daprd import dapr_source
from devmesh.bootstrap.shared import Part, StepFailed, go_build
from devmesh.paths import BIN, SRC

HEALTHZ_SERVER = "pkg/healthz/server/server.go"
ANY_INTERFACE = 'net.Listen("tcp", fmt.Sprintf(":%d", s.port))'
LOOPBACK_ONLY = 'net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))'


def binary() -> Path:
    return BIN / f"sentry-{pins.DAPR}-loopback"


def _loopback_overlay(src: Path) -> Path:
    """An overlay file replacing the healthz server with its loopback copy."""
    original = (src / HEALTHZ_SERVER).read_text()
    if original.count(ANY_INTERFACE) != 1:
        raise StepFailed(
            f"sentry: {HEALTHZ_SERVER} of dapr {pins.DAPR} no longer has"
            f" `{ANY_INTERFACE}`; update devmesh/bootstrap/sentry.py"
        )
    folder = SRC / f"sentry-overlay-{pins.DAPR}"
    folder.mkdir(parents=True, exist_ok=True)
    patched = folder / "healthz_server.go"
    patched.write_text(original.replace(ANY_INTERFACE, LOOPBACK_ONLY))
    overlay = folder / "overlay.json"
    overlay.write_text(
        json.dumps({"Replace": {str(src / HEALTHZ_SERVER): str(patched)}})
    )
    return overlay


def install() -> None:
    src = dapr_source("sentry")
    version = f"-X github.com/dapr/dapr/pkg/buildinfo.version={pins.DAPR}"
    overlay = _loopback_overlay(src)
    go_build("sentry", src, binary(), "./cmd/sentry", ldflags=version, overlay=overlay)


PART = Part(
    "sentry",
    f"Dapr Sentry {pins.DAPR} (Go module, the mesh's certificate authority)",
    lambda: binary().exists(),
    install,
    "~3 min on 2 cores",
)
