"""How each process of the mesh is started: one table used by Tilt and tests.

`specs(profile)` returns a `Proc` per resource. A domain service and its daprd
form one resource (`user`, `order`, ...), started together by `run`.
Tilt runs `python -m devmesh run NAME` as each resource's serve command; the
test fixture (`devmesh.mesh.Mesh`) runs exactly the same command.

Modules by job: `spec` (the Proc record, profiles), `infra` and `kafka` (the
infrastructure's command lines), `apps` (app command lines), `sidecar` (daprd's),
`sentry` (the certificate authority), `env` (environment and tokens),
`dapr_config` (rendered Configurations, with devmesh/access.py's policies),
`supervise` (running one resource), `leftovers` (`down`).
"""

from __future__ import annotations

from devmesh.launcher.dapr_config import render_dapr_config
from devmesh.launcher.env import shared_env
from devmesh.launcher.leftovers import kill_leftovers, mark_mesh
from devmesh.launcher.sidecar import daprd_argv, sidecar_env
from devmesh.launcher.spec import LOOPBACK, PROFILES, Proc, profile
from devmesh.launcher.supervise import run, specs

__all__ = [
    "LOOPBACK",
    "PROFILES",
    "Proc",
    "daprd_argv",
    "kill_leftovers",
    "mark_mesh",
    "profile",
    "render_dapr_config",
    "run",
    "shared_env",
    "sidecar_env",
    "specs",
]
