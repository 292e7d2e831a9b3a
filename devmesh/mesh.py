"""Start and stop a whole mesh without Tilt (tests, CI, benchmarks, `make run`).

Each resource is started with the same command Tilt uses as its serve command
(`python -m devmesh run NAME`), in dependency order, and waited on with the same
readiness probe.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from devmesh import launcher
from devmesh.paths import REPO, run_dir


class MeshError(RuntimeError):
    pass


def is_ready(spec: launcher.Proc) -> bool:
    if spec.ready_url:
        try:
            with urllib.request.urlopen(spec.ready_url, timeout=2) as resp:
                return bool(200 <= resp.status < 300)
        except (urllib.error.URLError, OSError):
            return False
    if spec.ready_port:
        with socket.socket() as sock:
            sock.settimeout(1)
            return sock.connect_ex((launcher.LOOPBACK, spec.ready_port)) == 0
    return True


def order(specs: dict[str, launcher.Proc], wanted: list[str]) -> list[str]:
    """Wanted resources and their dependencies, dependencies first."""
    out: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in out:
            return
        if name in path:
            raise MeshError(f"dependency cycle: {' -> '.join((*path, name))}")
        for dep in specs[name].deps:
            if dep in specs:
                visit(dep, (*path, name))
        out.append(name)

    for name in wanted:
        visit(name, ())
    return out


class Mesh:
    def __init__(
        self,
        profile: str = "full",
        log_dir: Path | None = None,
        ready_timeout: float = 180.0,
    ) -> None:
        self.profile = profile
        self.specs = launcher.specs(profile)
        self.log_dir = log_dir or run_dir(profile) / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.ready_timeout = ready_timeout
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_path(name)
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def start(self, names: list[str] | None = None) -> None:
        wanted = names or list(self.specs)
        for name in order(self.specs, wanted):
            self.start_one(name)

    def start_one(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        """Start one resource (`extra_env` on top of ours, e.g. a fault test's
        setting) and wait until it is ready."""
        if name in self.procs and self.procs[name].poll() is None:
            return
        spec = self.specs[name]
        if is_ready(spec):
            raise MeshError(
                f"{name}: something already answers on its port; is another "
                "mesh running? (`make down`, or set DAPRSHOP_PORT_OFFSET)"
            )
        started = time.monotonic()
        log = self.log_path(name).open("ab")
        env = {**os.environ, "PROFILE": self.profile, **(extra_env or {})}
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "devmesh", "run", name],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while not is_ready(spec):
            if self.procs[name].poll() is not None:
                raise MeshError(
                    f"{name} exited with {self.procs[name].returncode}:\n"
                    f"{self.log_tail(name)}"
                )
            if time.monotonic() - started > self.ready_timeout:
                raise MeshError(
                    f"{name} not ready after {self.ready_timeout}s:\n"
                    f"{self.log_tail(name)}"
                )
            time.sleep(0.2)
        print(
            f"mesh: {name} ready in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
            flush=True,
        )

    def stop_one(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def pids(self, name: str) -> list[int]:
        """The running processes of a resource, from its `devmesh run`'s
        pidfile: [app, daprd] for an app, [process] otherwise. A crashed one
        is restarted by `devmesh run` under a new pid."""
        pidfile = run_dir(self.profile) / "pids" / f"{name}.pid"
        return [int(raw) for raw in pidfile.read_text().split()]

    def exited(self) -> list[str]:
        """The resources whose `devmesh run` process has ended."""
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop_one(name)

    def __enter__(self) -> Mesh:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
