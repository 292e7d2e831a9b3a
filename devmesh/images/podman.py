"""Running an image here with podman: the options this machine needs.

- runc, not crun: crun 1.8 refuses the hybrid cgroup v1/v2 layout here
  ("cgroups in hybrid mode not supported").
- Explicit rlimits no higher than ours: podman's defaults (nofile 1048576,
  nproc of the host) are above what a process without CAP_SYS_RESOURCE may
  set, and the runtime then fails with "setrlimit ... Operation not permitted".
- The host's network: the app beside a daprd listening on loopback.
"""

from __future__ import annotations

import resource

NPROC = 4096


def run_options() -> list[str]:
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[0], NPROC)
    return [
        "--runtime",
        "runc",
        "--network",
        "host",
        "--pull",
        "never",
        "--ulimit",
        f"nofile={nofile}:{nofile}",
        "--ulimit",
        f"nproc={nproc}:{nproc}",
    ]
