"""What goes into each image, and the digest that names it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from devmesh import bootstrap
from devmesh.images.steps import run
from devmesh.paths import REPO

SHARED_CODE = ("common", "protos")
SKIPPED_DIRS = ("__pycache__",)  # bytecode
SKIPPED_TREES = ("protos/gen",)  # the Go module of the stubs


def uv() -> Path:
    return bootstrap.uv_bin()


def runtime_requirements() -> str:
    """uv.lock's runtime packages (no dev or bench group), pinned with hashes."""
    return run(
        [
            str(uv()),
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--format",
            "requirements-txt",
            "--project",
            str(REPO),
        ]
    )


def content_hash(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(REPO)
        if not path.is_file() or any(part in SKIPPED_DIRS for part in rel.parts):
            continue
        if not any(rel.is_relative_to(tree) for tree in SKIPPED_TREES):
            yield path


def package(app: str) -> str:
    """The app's folder in the repository (and under /app in its image)."""
    return "gateway" if app == "gateway" else f"services/{app}"


def module(app: str) -> str:
    return package(app).replace("/", ".")


def app_sources(app: str) -> list[Path]:
    """The files of an app's image: the shared packages and its own."""
    tops = (*SHARED_CODE, package(app))
    files = [path for top in tops for path in _files(REPO / top)]
    if app != "gateway":
        files.append(REPO / "services" / "__init__.py")
    return files


def app_digest(app: str, base_digest: str) -> str:
    """What an app image is made of: its base, its module, its files' names
    and contents."""
    files = app_sources(app)
    return content_hash(
        base_digest,
        module(app),
        *(part for f in files for part in (str(f.relative_to(REPO)), f.read_bytes())),
    )
