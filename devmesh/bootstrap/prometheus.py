"""Prometheus server, built from its Go module with its web UI embedded.

The module carries the UI's sources but not the built bundle (upstream builds
it with pnpm for each release), so this builds it the way upstream's Makefile
does: pnpm (itself from npm) installs the UI workspace from its lockfile and
`build:mantine-ui` bundles it, upstream's `scripts/compress_assets.sh` gzips it
into `web/ui/static`, and `go build -tags builtinassets` embeds it: the binary
serves its UI from anywhere. `remove_all_sd` leaves out every service
discovery but the static one (the mesh's targets are fixed ports), which also
spares the cloud SDKs' compile time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir, sh
from devmesh.paths import BIN, SRC

MODULE = "github.com/prometheus/prometheus"


def binary() -> Path:
    return BIN / f"prometheus-{pins.PROMETHEUS}"


def _pnpm_dir() -> Path:
    """pnpm's own npm package, installed once beside the sources."""
    prefix = SRC / f"pnpm-{pins.PNPM}"
    if not (prefix / "node_modules/.bin/pnpm").exists():
        npm_flags = ["--no-audit", "--no-fund", "--loglevel=error"]
        argv = ["npm", "install", "--save-exact", *npm_flags, "--prefix"]
        sh("prometheus", [*argv, str(prefix), f"pnpm@{pins.PNPM}"])
    return prefix / "node_modules/.bin"


def _pin_code_highlight(ui: Path) -> None:
    """The one lockfile entry the npm registry here does not serve (pins.py)."""
    package = ui / "mantine-ui/package.json"
    manifest = json.loads(package.read_text())
    manifest["dependencies"]["@mantine/code-highlight"] = pins.PROMETHEUS_CODE_HIGHLIGHT
    package.write_text(json.dumps(manifest, indent=2) + "\n")


def _build_ui(src: Path) -> None:
    ui = src / "web/ui"
    if (ui / "static/mantine-ui/index.html").exists():
        return
    _pin_code_highlight(ui)
    path = f"{_pnpm_dir()}{os.pathsep}{os.environ.get('PATH', '')}"
    # Not frozen: the pinned package changes one lock entry. The workspace's
    # minimumReleaseAge check needs every locked version in the registry's
    # manifest, which the substituted one is not.
    install = ["pnpm", "install", "--no-frozen-lockfile", "--reporter=append-only"]
    install.append("--config.minimum-release-age=0")
    sh("prometheus", install, cwd=ui, PATH=path)
    sh("prometheus", ["pnpm", "run", "build:mantine-ui"], cwd=ui, PATH=path, CI="")


def install() -> None:
    src = go_module_dir("prometheus", MODULE, pins.PROMETHEUS_MODULE)
    _build_ui(src)
    sh("prometheus", ["bash", "scripts/compress_assets.sh"], cwd=src)
    version = f"-X github.com/prometheus/common/version.Version={pins.PROMETHEUS}"
    go_build(
        "prometheus",
        src,
        binary(),
        "./cmd/prometheus",
        ldflags=version,
        tags="builtinassets,remove_all_sd",
        # The module ships a go.work (its UI and docs tools); build the server alone.
        GOWORK="off",
    )


PART = Part(
    "prometheus",
    f"Prometheus {pins.PROMETHEUS} (Go module + pnpm-built UI)",
    lambda: binary().exists(),
    install,
    "~4 min",
)
