"""Tilt, built from its Go module with its web UI (yarn) embedded."""

from __future__ import annotations

import shutil
from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir, sh
from devmesh.paths import BIN

# The module proxy here serves github.com/docker/buildx v0.32.1 with other bits
# than Tilt's go.sum records (a re-tagged release). That one entry is dropped
# and the checksum database skipped for that module only.
UNVERIFIED = "github.com/docker/buildx"


def binary() -> Path:
    return BIN / f"tilt-{pins.TILT}"


def _build_web_ui(src: Path) -> None:
    build = src / "pkg/assets/build"
    if (build / "index.html").exists():
        return
    web = src / "web"
    yarn = next((web / ".yarn" / "releases").glob("yarn-*.cjs"), None)
    yarn_cmd = ["node", str(yarn)] if yarn else ["npx", "--yes", "yarn@1"]
    sh("tilt", [*yarn_cmd, "install"], cwd=web, YARN_ENABLE_TELEMETRY="0")
    sh("tilt", [*yarn_cmd, "run", "build"], cwd=web, CI="true")
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(web / "build", build)


def install() -> None:
    src = go_module_dir("tilt", "github.com/tilt-dev/tilt", pins.TILT)
    _build_web_ui(src)
    go_sum = src / "go.sum"
    go_sum.write_text(
        "".join(
            line
            for line in go_sum.read_text().splitlines(keepends=True)
            if not line.startswith(f"{UNVERIFIED} ")
        )
    )
    go_build(
        "tilt",
        src,
        binary(),
        "./cmd/tilt",
        ldflags=f"-X main.version={pins.TILT}",
        GONOSUMDB=UNVERIFIED,
        GONOSUMCHECK="1",
        CGO_ENABLED="1",  # Tilt's Tiltfile parser uses tree-sitter (C)
    )


PART = Part(
    "tilt",
    f"Tilt {pins.TILT} (Go module + web UI)",
    lambda: binary().exists(),
    install,
    "~10 min",
)
