"""Running a gRPC domain service beside its sidecar.

One process hosts the proto service and Dapr's callbacks (subscriptions) on one
port via `dapr.ext.grpc.App`. Health is Dapr's own app health check: the
app answers the gRPC `HealthCheck` callback from the readiness checks' last
results, refreshed in the background, so a probe fails when the app hangs or a
dependency does not answer, and the sidecar then holds the app's events until
it recovers (devmesh/launcher/sidecar.py). Tilt, which speaks no gRPC, asks
the same results (and whether the sidecar answers) at /readyz on the metrics
port (common.status_http).
SIGTERM stops taking new calls, lets in-flight ones finish, then runs the
shutdown hooks.
"""

from __future__ import annotations

import logging
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from typing import TypeVar

from dapr.ext.grpc import App

from common import gcpolicy, status_http, telemetry
from common.app_token import AppTokenInterceptor
from common.settings import ServiceSettings

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], bool]


def new_app(settings: ServiceSettings, workers: int = 32) -> App:
    token = (
        settings.app_api_token.get_secret_value() if settings.app_api_token else None
    )
    return App(
        thread_pool=futures.ThreadPoolExecutor(max_workers=workers),
        interceptors=[AppTokenInterceptor(token)],
        options=[("grpc.so_reuseport", 0)],
    )


class Readiness:
    """The readiness checks' last results, for Dapr's app health probe.

    The checks run on a background thread every `every` seconds, so the probe
    itself only reads a result: it fails when the process cannot answer at all
    (hung, stopped) or when a check failed last time.
    """

    def __init__(self, checks: dict[str, ReadinessCheck], every: float = 2.0):
        self._checks = checks
        self._every = every
        self._failing: tuple[str, ...] = ()
        self._stop = threading.Event()

    def refresh(self) -> None:
        failing = tuple(
            name for name, check in self._checks.items() if not _safe(check)
        )
        if failing != self._failing:
            if failing:
                log.warning("not ready: %s does not answer", ", ".join(failing))
            else:
                log.info("ready again: every dependency answers")
        self._failing = failing

    def start(self) -> None:
        self.refresh()
        threading.Thread(target=self._loop, name="readiness", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self.refresh()

    def problem(self) -> str | None:
        """Why the app is not ready (a check failed last time), or None."""
        if self._failing:
            return f"not ready: {', '.join(self._failing)}"
        return None

    def probe(self) -> None:
        """Dapr's HealthCheck callback: raises (a failed probe) when not ready."""
        problem = self.problem()
        if problem:
            raise RuntimeError(problem)


def sidecar_problem(http_port: int, timeout: float = 1.0) -> str | None:
    """Why the app's sidecar is not ready (its /v1.0/healthz), or None."""
    url = f"http://127.0.0.1:{http_port}/v1.0/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            if 200 <= resp.status < 300:
                return None
            return f"sidecar answers {resp.status}"
    except (urllib.error.URLError, OSError) as err:
        return f"sidecar does not answer: {err}"


def _safe(check: ReadinessCheck) -> bool:
    try:
        return check()
    except Exception:
        return False


def serve(
    settings: ServiceSettings,
    app: App,
    checks: dict[str, ReadinessCheck],
    on_shutdown: list[Callable[[], None]],
) -> None:
    readiness = Readiness(checks)
    readiness.start()
    app.register_health_check(readiness.probe)  # type: ignore[no-untyped-call]
    status_http.report_readiness(
        lambda: readiness.problem() or sidecar_problem(settings.dapr_http_port)
    )
    server = app._server  # the SDK keeps the grpc.Server here; we need its stop()
    server.add_insecure_port(f"127.0.0.1:{settings.app_port}")
    stopped = threading.Event()

    def shutdown(signum: int, _frame: object) -> None:
        if stopped.is_set():
            return
        stopped.set()
        log.info("signal %s: draining", signal.Signals(signum).name)
        server.stop(grace=5)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    gcpolicy.freeze_startup_heap()
    server.start()
    log.info("%s listening on 127.0.0.1:%s", settings.app_id, settings.app_port)
    server.wait_for_termination()
    for hook in on_shutdown:
        try:
            hook()
        except Exception:
            log.exception("shutdown hook failed")
    readiness.stop()
    log.info("%s stopped", settings.app_id)


def setup_logging(settings: ServiceSettings) -> None:
    """Logs, traces and metrics of the process (common.telemetry)."""
    telemetry.configure(settings)


@dataclass(frozen=True)
class Assembly:
    """A wired service process (what each service's `build()` returns): what
    to serve, how to tell it is ready, what to start first and stop last."""

    app: App
    checks: dict[str, ReadinessCheck]
    start: tuple[Callable[[], None], ...] = ()
    stop: tuple[Callable[[], None], ...] = ()


S = TypeVar("S", bound=ServiceSettings)


def run(settings: S, build: Callable[[S], Assembly]) -> None:
    """A service's `main()`: logging, the composition root, its background
    work, then serving until SIGTERM."""
    setup_logging(settings)
    assembly = build(settings)
    for start in assembly.start:
        start()
    serve(settings, assembly.app, assembly.checks, list(assembly.stop))
