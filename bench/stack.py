"""The bench's own mesh: the launcher Tilt uses, on shifted ports, in its own run
folder, so it never collides with a developer's `tilt up` or the test suite.

Parts that cannot start (a service still being written, say) are recorded as
unavailable with the last line of their log instead of failing the run; every
scenario asks `Stack.has(...)` for what it needs.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

PROFILE = "full"
# Tracing is off in the bench (DAPR_TRACE_SAMPLING=0): the trace store would
# only add an idle JVM to the footprint (R6). The tracing-on rows (R1) export
# to where it would be, and their spans are dropped, as when it is down.
# Prometheus is not started either: its scrapes would be load the bench did
# not ask for (the endpoints it reads are served all the same).
NOT_STARTED = ("zipkin", "prometheus")


def configure_environment() -> Path:
    """Point devmesh at the bench's ports and run folder. Call before any
    `devmesh.ports.load()`; returns the run folder."""
    from devmesh.paths import CACHE
    from devmesh.ports import OFFSETS

    run = Path(os.environ.get("BENCH_RUN_DIR", CACHE / "run" / "bench"))
    # The bench's slot in the table of offsets that never collide; another
    # can be forced with BENCH_PORT_OFFSET (and another folder with BENCH_RUN_DIR).
    os.environ["DAPRSHOP_PORT_OFFSET"] = os.environ.get(
        "BENCH_PORT_OFFSET", str(OFFSETS["bench"])
    )
    os.environ["DAPRSHOP_RUN_DIR"] = str(run)
    os.environ["PROFILE"] = PROFILE
    os.environ["DAPR_TRACE_SAMPLING"] = "0"
    # One load client must not be throttled by the gateway's per-client limit;
    # the limiter still runs (one Redis call per request), as in production.
    os.environ["RATE_LIMIT_GRAPHQL_PER_MINUTE"] = "6000000"
    os.environ["RATE_LIMIT_GRAPHQL_BURST"] = "100000"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return run


def levels(deps: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Resources grouped so that each group only needs earlier groups."""
    depth: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...] = ()) -> int:
        if name in depth:
            return depth[name]
        if name in path:
            raise ValueError(f"dependency cycle through {name}")
        known = [d for d in deps[name] if d in deps]
        depth[name] = 1 + max((visit(d, (*path, name)) for d in known), default=-1)
        return depth[name]

    for name in deps:
        visit(name)
    out: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in deps:
        out[depth[name]].append(name)
    return out


class Stack:
    """Start what can start; say why the rest could not."""

    def __init__(self, ready_timeout: float) -> None:
        from devmesh.mesh import Mesh

        self.mesh = Mesh(PROFILE, ready_timeout=ready_timeout)
        self.up: list[str] = []
        self.down: dict[str, str] = {}
        self.caller: subprocess.Popen[bytes] | None = None
        self.caller_kind = ""
        self._lock = threading.Lock()

    # --- start and stop --------------------------------------------------------

    def start(self) -> None:
        specs = self.mesh.specs
        for group in levels({n: s.deps for n, s in specs.items()}):
            threads = []
            for name in group:
                if name in NOT_STARTED:
                    continue
                missing = [d for d in specs[name].deps if d in self.down]
                if missing:
                    self.down[name] = f"needs {', '.join(missing)}"
                    continue
                thread = threading.Thread(target=self._start_one, args=(name,))
                thread.start()
                threads.append(thread)
            for thread in threads:
                thread.join()
        self._start_caller()

    def _start_one(self, name: str) -> None:
        from devmesh.mesh import MeshError

        try:
            self.mesh.start_one(name)
        except MeshError as err:
            self.mesh.stop_one(name)
            with self._lock:
                self.down[name] = _last_line(str(err))
            return
        with self._lock:
            self.up.append(name)

    def _start_caller(self) -> None:
        """The calling sidecar of R1: the gateway's, or a stand-in with its
        identity, configuration and components when the gateway app is missing."""
        if "gateway" in self.up:
            self.caller_kind = "the gateway's sidecar"
            return
        from devmesh import launcher
        from devmesh.mesh import is_ready
        from devmesh.ports import load

        argv = _without_app_flags(launcher.daprd_argv(PROFILE, "gateway"))
        # The gateway's identity: its API token, its trust anchor and a Sentry
        # token for its app id (mTLS like every sidecar).
        env = {**os.environ, **launcher.sidecar_env(PROFILE, "gateway")}
        log = self.mesh.log_path("gateway-standin").open("ab")
        self.caller = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        probe = launcher.Proc(
            "gateway-standin",
            ready_url=f"http://127.0.0.1:{load().apps['gateway'].http}/v1.0/healthz",
        )
        deadline = time.monotonic() + 60
        while not is_ready(probe):
            if self.caller.poll() is not None or time.monotonic() > deadline:
                self.down["caller sidecar"] = self.mesh.log_tail("gateway-standin", 3)
                return
            time.sleep(0.2)
        self.caller_kind = "a stand-in for the gateway's sidecar (no gateway app)"

    def stop(self) -> None:
        if self.caller and self.caller.poll() is None:
            self.caller.terminate()
            try:
                self.caller.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.caller.kill()
                self.caller.wait()
        self.mesh.stop()

    def restart(self, name: str) -> None:
        """Restart one resource (e.g. with another DAPR_TRACE_SAMPLING)."""
        self.mesh.stop_one(name)
        self.mesh.start_one(name)

    def restart_caller(self) -> None:
        if self.caller is None:
            self.restart("gateway")
            return
        self.caller.terminate()
        self.caller.wait(timeout=15)
        self.caller = None
        self._start_caller()

    # --- what is there -----------------------------------------------------------

    def has(self, *names: str) -> bool:
        return all(n in self.up for n in names)

    def why_not(self, *names: str) -> str:
        reasons = [f"{n}: {self.down.get(n, 'not started')}" for n in names]
        missing = [r for n, r in zip(names, reasons, strict=True) if n not in self.up]
        return "; ".join(missing)

    def pids(self, name: str) -> list[int]:
        """[app, daprd] for an app, [pid] for infrastructure (from the pidfiles)."""
        from devmesh.paths import run_dir

        path = run_dir(PROFILE) / "pids" / f"{name}.pid"
        for _ in range(50):
            if path.exists() and path.read_text().split():
                return [int(p) for p in path.read_text().split()]
            time.sleep(0.1)
        return []

    def groups(self) -> dict[str, list[int]]:
        """Every process of the mesh by name: `product`, `product-daprd`, `kafka`…"""
        from devmesh.ports import APP_NAMES

        out: dict[str, list[int]] = {}
        for name in self.up:
            pids = self.pids(name)
            if name in APP_NAMES and len(pids) == 2:
                out[name] = [pids[0]]
                out[f"{name}-daprd"] = [pids[1]]
            elif pids:
                out[name] = pids[:1]
        if self.caller is not None and self.caller.poll() is None:
            out["gateway-daprd"] = [self.caller.pid]
        return out


def _without_app_flags(argv: list[str]) -> list[str]:
    drop = {"--app-port", "--app-protocol", "--app-channel-address"}
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in drop:
            skip = True
            continue
        out.append(arg)
    return out


def _last_line(text: str) -> str:
    """`name exited with 1: <its last log line>`, without interpreter paths."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "failed to start"
    first, last = lines[0].rstrip(":"), lines[-1]
    if last.startswith("/") and ": " in last:
        last = last.split(": ", 1)[1]
    return first if first == last else f"{first}: {last}"
