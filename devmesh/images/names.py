"""Image names and tags, shared by `make images` and deploy/ (devmesh/k8s).

Every image gets two tags: the project version (what the manifests name) and
`sha-<digest>`, the digest of everything that went into it (what a warm
`make images` looks for before building again). No `latest`.
"""

from __future__ import annotations

import tomllib

from devmesh.paths import REPO
from devmesh.ports import APP_NAMES

PREFIX = "daprshop"
# The numeric user every image runs as (no root; no name needed).
UID = 65532
DAPRD = "daprd"


def version() -> str:
    """The project version from pyproject.toml: the tag deploy/ names."""
    with (REPO / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def image(name: str) -> str:
    """`daprshop-<app>` for an app of ports.APP_NAMES, `daprshop-daprd`."""
    if name not in (*APP_NAMES, DAPRD):
        raise ValueError(f"no image named {name!r}")
    return f"{PREFIX}-{name}"


def ref(name: str) -> str:
    """The reference deploy/ uses: `daprshop-<name>:<version>`."""
    return f"{image(name)}:{version()}"


def digest_tag(digest: str) -> str:
    return f"sha-{digest[:16]}"
