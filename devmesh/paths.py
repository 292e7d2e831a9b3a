"""Where things live: the repository, the cache outside it, and run folders."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DAPRSHOP_CACHE", Path.home() / ".cache" / "daprshop"))
BIN = CACHE / "bin"
SRC = CACHE / "src"
LOGS = CACHE / "logs"
VENV = REPO / ".venv"


def run_dir(profile: str) -> Path:
    """Data and logs of one running mesh; one folder per component profile."""
    override = os.environ.get("DAPRSHOP_RUN_DIR")
    base = Path(override) if override else CACHE / "run" / profile
    base.mkdir(parents=True, exist_ok=True)
    return base
