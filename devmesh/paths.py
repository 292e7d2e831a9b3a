"""Where things live: the repository, the cache outside it, and run folders."""

from __future__ import annotations

import os
import threading
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


def write_whole(path: Path, text: str) -> Path:
    """Write `path` so a reader never sees it empty or half written: the
    text goes to a file of this thread's own, then is renamed over it.
    Sidecars starting side by side render the same shared files."""
    fresh = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fresh.write_text(text)
    fresh.replace(path)
    return path
