"""Shared fixtures. Integration and e2e tiers run against one real mesh per session.

The mesh is started by `devmesh.mesh.Mesh`, which runs the very commands Tilt
runs (`python -m devmesh run NAME`). It uses its own port offset and run folder
so it never collides with a developer's `tilt up`. TEST_PROFILE picks the
component profile (full: Kafka; lite: Redis Streams); MESH_ONLY=a,b starts
only those resources and their dependencies (for working on one service).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devmesh import ports

TEST_PROFILE = os.environ.get("TEST_PROFILE", "full")
_OFFSET = ports.OFFSETS[f"test-{TEST_PROFILE}"]
os.environ.setdefault("DAPRSHOP_PORT_OFFSET", str(_OFFSET))
os.environ["PROFILE"] = TEST_PROFILE
_CACHE = Path(os.environ.get("DAPRSHOP_CACHE", Path.home() / ".cache" / "daprshop"))
os.environ.setdefault("DAPRSHOP_RUN_DIR", str(_CACHE / "run" / f"test-{TEST_PROFILE}"))


@pytest.fixture(scope="session")
def profile() -> str:
    return TEST_PROFILE


@pytest.fixture(scope="session")
def mesh(profile: str) -> Iterator[object]:
    """The whole mesh, started once; a failure to start fails loudly."""
    from devmesh.mesh import Mesh, MeshError

    run = Path(os.environ["DAPRSHOP_RUN_DIR"])
    shutil.rmtree(run, ignore_errors=True)  # fresh databases for every session
    the_mesh = Mesh(profile)
    only = [n for n in os.environ.get("MESH_ONLY", "").split(",") if n]
    try:
        the_mesh.start(only or None)
    except MeshError as err:
        the_mesh.stop()
        pytest.fail(f"could not start the {profile} mesh: {err}", pytrace=False)
    yield the_mesh
    the_mesh.stop()


@pytest.fixture(scope="session")
def shared_env(mesh: object, profile: str) -> dict[str, str]:
    from devmesh import launcher

    return launcher.shared_env(profile)


@pytest.fixture(scope="session")
def oidc_issuer(shared_env: dict[str, str]) -> str:
    return shared_env["OIDC_ISSUER"]
