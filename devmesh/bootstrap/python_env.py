"""The project's virtualenv, built by uv from uv.lock and linked as .venv.

One venv per lock digest in the cache, so switching branches back and forth
reuses both.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

from devmesh import pins
from devmesh.bootstrap.shared import Part, sh
from devmesh.paths import CACHE, REPO, VENV


def _lock_digest() -> str:
    data = (REPO / "uv.lock").read_bytes() + (REPO / "pyproject.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def uv_binary() -> Path:
    return CACHE / "tools" / f"uv-{pins.UV}" / "bin" / "uv"


def target() -> Path:
    return CACHE / "venvs" / _lock_digest()


def ready() -> bool:
    return (target() / ".complete").exists() and VENV.resolve() == target()


def install() -> None:
    uv = uv_binary()
    if not uv.exists():
        tool_venv = uv.parent.parent
        sh("python", [sys.executable, "-m", "venv", str(tool_venv)])
        sh(
            "python",
            [str(tool_venv / "bin" / "pip"), "install", "-q", f"uv=={pins.UV}"],
        )
    venv = target()
    if not (venv / ".complete").exists():
        sh(
            "python",
            [str(uv), "sync", "--frozen", "--all-groups", "--python", sys.executable],
            cwd=REPO,
            UV_PROJECT_ENVIRONMENT=str(venv),
            UV_PYTHON_DOWNLOADS="never",
        )
        (venv / ".complete").touch()
    if VENV.is_symlink() or VENV.exists():
        if VENV.is_symlink() or VENV.is_file():
            VENV.unlink()
        else:
            shutil.rmtree(VENV)
    VENV.symlink_to(venv)


PART = Part("python", "Python virtualenv from uv.lock", ready, install, "~1 min")
