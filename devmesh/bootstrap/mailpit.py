"""Mailpit (SMTP sink with a web UI), built from its Go module and npm UI."""

from __future__ import annotations

from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, go_build, go_module_dir, sh
from devmesh.paths import BIN


def binary() -> Path:
    return BIN / f"mailpit-{pins.MAILPIT}"


def install() -> None:
    src = go_module_dir("mailpit", "github.com/axllent/mailpit", pins.MAILPIT)
    if not (src / "server/ui/dist").exists():
        sh(
            "mailpit",
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=src,
        )
        sh("mailpit", ["npm", "run", "package"], cwd=src)
    version = f"-X github.com/axllent/mailpit/config.Version=v{pins.MAILPIT}"
    go_build("mailpit", src, binary(), ".", ldflags=version)


PART = Part(
    "mailpit",
    f"Mailpit {pins.MAILPIT} (Go module + npm UI)",
    lambda: binary().exists(),
    install,
    "~5 min",
)
