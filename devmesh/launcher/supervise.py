"""Running one resource in the foreground: `python -m devmesh run NAME`.

An app and its daprd are one resource: both start, and when either exits the
other is stopped. The pids go to the run folder's pidfiles for `down`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from devmesh.launcher.apps import app_specs
from devmesh.launcher.infra import infra_specs
from devmesh.launcher.sentry import sentry_spec
from devmesh.launcher.sidecar import daprd_argv, sidecar_env
from devmesh.launcher.spec import LOOPBACK, Proc, profile
from devmesh.paths import REPO, run_dir
from devmesh.ports import APP_NAMES, load

# How long a sidecar may take to open its API port. One that cannot reach
# Sentry, or holds a stale trust anchor, waits silently at "Fetching initial
# identity" forever; this turns that into a failure with its likely reason.
SIDECAR_TIMEOUT = float(os.environ.get("DAPRSHOP_SIDECAR_TIMEOUT", "45"))


def specs(prof: str | None = None) -> dict[str, Proc]:
    """Every resource of the mesh for a profile: infrastructure (Sentry
    first), then apps."""
    prof = prof or profile()
    return {"sentry": sentry_spec(prof), **infra_specs(prof), **app_specs(prof)}


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def _sidecar_stuck(app: str) -> str:
    p = load()
    sentry = f"{LOOPBACK}:{p.sentry}"
    if not _answers(p.sentry):
        why = f"Sentry at {sentry} does not answer (is the `sentry` resource up?)"
    else:
        why = (
            f"Sentry at {sentry} answers, so its trust anchor is probably stale"
            " (the CA was rotated after Sentry started? restart `sentry`)"
        )
    return (
        f"{app}'s daprd did not open its API port within {SIDECAR_TIMEOUT:.0f}s:"
        f" it is stuck fetching its identity from Sentry. {why}"
    )


def _wait_for_sidecar(app: str, children: list[subprocess.Popen[bytes]]) -> bool:
    """Until the sidecar's API port opens; False (reason printed) on timeout."""
    port = load().apps[app].http
    deadline = time.monotonic() + SIDECAR_TIMEOUT
    while not _answers(port):
        if any(child.poll() is not None for child in children):
            return True  # the supervision loop reports it
        if time.monotonic() > deadline:
            print(_sidecar_stuck(app), file=sys.stderr, flush=True)
            return False
        time.sleep(0.2)
    return True


def _forward_signals(children: list[subprocess.Popen[bytes]]) -> None:
    def handler(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _pidfile(prof: str, name: str) -> Path:
    pids = run_dir(prof) / "pids"
    pids.mkdir(exist_ok=True)
    return pids / f"{name}.pid"


def _stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    for other in children:
        if other.poll() is None:
            other.terminate()
    for other in children:
        try:
            other.wait(timeout=15)
        except subprocess.TimeoutExpired:
            other.kill()


def run(name: str, prof: str | None = None) -> int:
    """Run one resource in the foreground until it exits or is signalled."""
    prof = prof or profile()
    table = specs(prof)
    if name not in table:
        raise SystemExit(f"unknown resource {name!r}; known: {', '.join(table)}")
    spec = table[name]
    if spec.prepare:
        spec.prepare()
    env = {**os.environ, **spec.env}
    children: list[subprocess.Popen[bytes]] = []
    _forward_signals(children)
    # Every program is checked before any starts, so a missing one never
    # leaves half of a pair running.
    commands = [(spec.argv, env)]
    if name in APP_NAMES:
        commands.append((daprd_argv(prof, name), {**env, **sidecar_env(prof, name)}))
    for argv, _ in commands:
        if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
            raise SystemExit(f"{argv[0]} is missing: run `make bootstrap`")
    for argv, child_env in commands:
        children.append(subprocess.Popen(argv, cwd=REPO, env=child_env))
    pidfile = _pidfile(prof, name)
    pidfile.write_text("\n".join(str(c.pid) for c in children))
    try:
        if name in APP_NAMES and not _wait_for_sidecar(name, children):
            _stop_all(children)
            return 1
        # A pair lives and dies together: if either exits, stop the other.
        while True:
            for child in children:
                try:
                    code = child.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    continue
                _stop_all(children)
                return code
    finally:
        pidfile.unlink(missing_ok=True)
