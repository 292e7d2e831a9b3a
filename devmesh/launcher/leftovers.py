"""`python -m devmesh down`: stop what a developer's mesh left running."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from devmesh.launcher.spec import PROFILES
from devmesh.paths import run_dir


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


def kill_leftovers(prof: str | None = None) -> list[int]:
    """Stop the processes a developer's mesh recorded in its pidfiles.

    Only the run folders of `make up`/`make run` (one per profile, or
    DAPRSHOP_RUN_DIR) are looked at; test and benchmark meshes are left alone.
    """
    folders = [run_dir(p) for p in ((prof,) if prof else PROFILES)]
    killed = []
    for folder in folders:
        for pidfile in folder.glob("pids/*.pid"):
            for raw in pidfile.read_text().split():
                pid = int(raw)
                if not is_ours(pid):
                    continue
                try:
                    os.kill(pid, signal.SIGTERM)
                    killed.append(pid)
                except ProcessLookupError:
                    pass
            pidfile.unlink(missing_ok=True)
    return killed
