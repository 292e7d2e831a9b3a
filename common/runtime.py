"""Running a gRPC domain service beside its sidecar.

One process hosts the proto service and Dapr's callbacks (subscriptions) on one
port via `dapr.ext.grpc.App`; a small HTTP server on HEALTH_PORT answers
/healthz (process alive) and /readyz (dependencies reachable). SIGTERM stops
taking new calls, lets in-flight ones finish, then runs the shutdown hooks.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import urllib.request
from collections.abc import Callable, Mapping
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dapr.ext.grpc import App

from common import gcpolicy, telemetry
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


def _health_server(port: int, checks: dict[str, ReadinessCheck]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                self._send(200, {"status": "ok"})
            elif self.path == "/readyz":
                results = {name: _safe(check) for name, check in checks.items()}
                self._send(200 if all(results.values()) else 503, results)
            else:
                self._send(404, {"error": "not found"})

        def _send(self, code: int, body: Mapping[str, object]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server


def _sidecar_ready(settings: ServiceSettings) -> ReadinessCheck:
    """The sidecar's outbound health (its /healthz would wait for this app)."""
    url = f"http://{settings.dapr_host}:{settings.dapr_http_port}/v1.0/healthz/outbound"

    def check() -> bool:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status < 300)

    return check


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
    health = _health_server(
        settings.health_port, {**checks, "sidecar": _sidecar_ready(settings)}
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
    log.info(
        "%s listening on 127.0.0.1:%s (health on %s)",
        settings.app_id,
        settings.app_port,
        settings.health_port,
    )
    server.wait_for_termination()
    for hook in on_shutdown:
        try:
            hook()
        except Exception:
            log.exception("shutdown hook failed")
    health.shutdown()
    log.info("%s stopped", settings.app_id)


def setup_logging(settings: ServiceSettings) -> None:
    """Logs, traces and metrics of the process (common.telemetry)."""
    telemetry.configure(settings)
