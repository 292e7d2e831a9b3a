"""`python -m devmesh down`: stop what a developer's mesh left running."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from devmesh.launcher.spec import PROFILES
from devmesh.paths import run_dir

MESH_MARK = "mesh.up"


def is_ours(pid: int) -> bool:
    """A recorded pid may have been reused: only signal our own processes.

    Ours: its command line names the project, or its parent's does (the
    `devmesh run` wrapper). The parent matters for programs that rewrite
    their title: redis-server shows only "redis-server 127.0.0.1:<port>".
    """
    if _marked(pid):
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ppid = next(
        (
            int(line.split()[1])
            for line in status.splitlines()
            if line.startswith("PPid:")
        ),
        0,
    )
    return ppid > 1 and _marked(ppid)


def _marked(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return any(
        mark in cmdline for mark in (b"daprshop", b"devmesh", b"services.", b"gateway")
    )


def kill_leftovers(prof: str | None = None, grace: float = 20.0) -> list[int]:
    """Stop the processes a developer's mesh recorded in its pidfiles.

    Only the run folders of `make up`/`make run` (one per profile, or
    DAPRSHOP_RUN_DIR) are looked at; test and benchmark meshes are left alone.
    `make run`'s own process (pids/mesh.up) is stopped first and waited for;
    then each resource's supervisor (`devmesh run NAME`, pids/NAME.supervisor),
    given `grace` seconds to stop its processes: stopping those directly
    would look like a crash to it, and it would restart them.
    Whatever is still running after that is stopped directly.
    """
    folders = [run_dir(p) for p in ((prof,) if prof else PROFILES)]
    stopped: list[int] = []
    # `make run`'s own process first: it stops the resources in reverse start
    # order (apps before Kafka), as Ctrl-C does.
    for pattern, wait in ((MESH_MARK, 3 * grace), ("*.supervisor", grace)):
        signalled = _signal_all([f for d in folders for f in d.glob(f"pids/{pattern}")])
        deadline = time.monotonic() + wait
        while any(map(_alive, signalled)) and time.monotonic() < deadline:
            time.sleep(0.2)
        stopped += signalled
    return stopped + _signal_all([f for d in folders for f in d.glob("pids/*.pid")])


def mark_mesh(prof: str) -> Path:
    """Records the pid of `make run`'s process (`devmesh up`) for `down`."""
    pids = run_dir(prof) / "pids"
    pids.mkdir(parents=True, exist_ok=True)
    marker = pids / MESH_MARK
    marker.write_text(str(os.getpid()))
    return marker


def _signal_all(pidfiles: list[Path]) -> list[int]:
    signalled = []
    for pidfile in pidfiles:
        for raw in pidfile.read_text().split():
            pid = int(raw)
            if not is_ours(pid):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
                signalled.append(pid)
            except ProcessLookupError:
                pass
        pidfile.unlink(missing_ok=True)
    return signalled


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "Z"
    return status.rsplit(")", 1)[-1].split()[0]
