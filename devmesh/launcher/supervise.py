"""Running one resource in the foreground: `python -m devmesh run NAME`.

An app and its daprd are one resource, started together. A process of it that
exits on its own (a crash, kill -9) is restarted after a backoff, and the
resource says so on its output; its partner keeps running, so the rest of the
mesh keeps its connections. One that keeps crashing (more than
DAPRSHOP_RESTART_LIMIT times within DAPRSHOP_RESTART_WINDOW seconds, see
restarts.py) is given up on: the resource says so loudly, stops its other
process and exits non-zero. SIGTERM/SIGINT stop everything, without restarts.
The pids go to the run folder's pidfile (app first, then daprd) for `down` and
for fault tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devmesh.launcher.apps import app_specs
from devmesh.launcher.infra import infra_specs
from devmesh.launcher.restarts import RestartPolicy
from devmesh.launcher.sentry import sentry_spec
from devmesh.launcher.sidecar import daprd_argv, sidecar_env
from devmesh.launcher.spec import LOOPBACK, Proc, profile
from devmesh.paths import REPO, run_dir, write_whole
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


Command = Callable[[], tuple[list[str], dict[str, str]]]


@dataclass
class Child:
    """One process of a resource, and how to start it again (fresh env: a
    restarted daprd gets a newly minted Sentry token)."""

    role: str
    command: Command
    proc: subprocess.Popen[bytes] | None = None
    policy: RestartPolicy = field(default_factory=RestartPolicy)

    def start(self) -> int:
        argv, env = self.command()
        self.proc = subprocess.Popen(argv, cwd=REPO, env=env)
        return self.proc.pid

    def exit_code(self) -> int | None:
        return None if self.proc is None else self.proc.poll()


def say(name: str, message: str) -> None:
    print(f"devmesh run {name}: {message}", file=sys.stderr, flush=True)


def _wait_for_sidecar(app: str, children: list[Child]) -> bool:
    """Until the sidecar's API port opens; False (reason printed) on timeout."""
    port = load().apps[app].http
    deadline = time.monotonic() + SIDECAR_TIMEOUT
    while not _answers(port):
        if any(child.exit_code() is not None for child in children):
            return True  # the supervision loop reports it
        if time.monotonic() > deadline:
            print(_sidecar_stuck(app), file=sys.stderr, flush=True)
            return False
        time.sleep(0.2)
    return True


def _forward_signals(children: list[Child], stopping: threading.Event) -> None:
    def handler(signum: int, _frame: object) -> None:
        stopping.set()
        for child in children:
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _pidfile(prof: str, name: str) -> Path:
    pids = run_dir(prof) / "pids"
    pids.mkdir(exist_ok=True)
    return pids / f"{name}.pid"


def supervisor_pidfile(pidfile: Path) -> Path:
    """Where `devmesh run NAME` records its own pid, beside its children's."""
    return pidfile.with_suffix(".supervisor")


def _write_pids(pidfile: Path, children: list[Child]) -> None:
    """Replaced whole (write, then rename), so a reader never sees it empty
    or half written while a restarted process's pid goes in."""
    write_whole(pidfile, "\n".join(str(c.proc.pid) for c in children if c.proc))


def _stop_all(children: list[Child]) -> None:
    procs = [c.proc for c in children if c.proc is not None]
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _commands(prof: str, name: str, spec: Proc) -> list[Child]:
    def app() -> tuple[list[str], dict[str, str]]:
        return spec.argv, {**os.environ, **spec.env}

    children = [Child("app" if name in APP_NAMES else name, app)]
    if name in APP_NAMES:

        def daprd() -> tuple[list[str], dict[str, str]]:
            env = {**os.environ, **spec.env, **sidecar_env(prof, name)}
            return daprd_argv(prof, name), env

        children.append(Child("daprd", daprd))
    return children


def run(name: str, prof: str | None = None) -> int:
    """Run one resource in the foreground until it is signalled or given up."""
    prof = prof or profile()
    table = specs(prof)
    if name not in table:
        raise SystemExit(f"unknown resource {name!r}; known: {', '.join(table)}")
    spec = table[name]
    if spec.prepare:
        spec.prepare()
    children = _commands(prof, name, spec)
    stopping = threading.Event()
    _forward_signals(children, stopping)
    # Every program is checked before any starts, so a missing one never
    # leaves half of a pair running.
    for child in children:
        program = child.command()[0][0]
        if shutil.which(program) is None and not Path(program).exists():
            raise SystemExit(f"{program} is missing: run `make bootstrap`")
    for child in children:
        child.start()
    pidfile = _pidfile(prof, name)
    _write_pids(pidfile, children)
    # `devmesh down` stops this process first: a child stopped from outside
    # would otherwise be restarted as a crash (leftovers.py).
    own = supervisor_pidfile(pidfile)
    own.write_text(str(os.getpid()))
    try:
        if name in APP_NAMES and not _wait_for_sidecar(name, children):
            _stop_all(children)
            return 1
        return _supervise(name, children, stopping, pidfile)
    finally:
        pidfile.unlink(missing_ok=True)
        own.unlink(missing_ok=True)


def _supervise(
    name: str, children: list[Child], stopping: threading.Event, pidfile: Path
) -> int:
    """Restart what exits on its own until signalled (0) or given up (non-zero)."""
    while not stopping.wait(0.3):
        for child in children:
            code = child.exit_code()
            if code is None:
                continue
            delay = child.policy.crashed()
            if delay is None:
                say(
                    name,
                    f"GIVING UP: {child.role} exited with {code}, crash"
                    f" {child.policy.recent} within {child.policy.window:.0f}s"
                    f" (at most {child.policy.limit} are restarted); stopping {name}",
                )
                _stop_all(children)
                return code or 1
            say(
                name,
                f"{child.role} (pid {child.proc.pid if child.proc else '?'}) exited"
                f" with {code}; restarting it in {delay:.0f}s"
                f" (crash {child.policy.recent} of at most {child.policy.limit}"
                f" within {child.policy.window:.0f}s)",
            )
            if stopping.wait(delay):
                break
            pid = child.start()
            _write_pids(pidfile, children)
            say(name, f"{child.role} restarted (pid {pid})")
    _stop_all(children)
    return 0
