"""A service resource's readiness, answered by its supervisor.

A service's sidecar keeps answering `/v1.0/healthz` after its app has died
(daprd's health is its own runtime's), so a probe on the sidecar alone never
sees a crash. The supervisor (`python -m devmesh run NAME`) therefore answers
GET /readyz on the app's health port (devmesh/ports.yaml): 200 while both of
its processes run, the app's port accepts connections and the sidecar's
/v1.0/healthz answers; 503 with the reason otherwise. Tilt's readiness probe
and the launcher's own wait (`devmesh.mesh`) read it, so a crashed app turns
its resource not-ready until the restarted one answers again. The gateway
needs none of this: its own /readyz already fails when it or its sidecar is
down.
"""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devmesh.launcher.spec import LOOPBACK
from devmesh.ports import load

PATH = "/readyz"

# Why the resource is not ready, or None when it is.
Check = Callable[[], str | None]
Server = ThreadingHTTPServer


def sidecar_healthz(app: str) -> str:
    """The sidecar's own health (its runtime, not its app)."""
    return f"http://{LOOPBACK}:{load().apps[app].http}/v1.0/healthz"


def url(app: str) -> str:
    return f"http://{LOOPBACK}:{load().apps[app].health}{PATH}"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def _healthy(health_url: str) -> bool:
    try:
        with urllib.request.urlopen(health_url, timeout=1) as resp:
            return bool(200 <= resp.status < 300)
    except (urllib.error.URLError, OSError):
        return False


def service_check(app: str, running: Callable[[], str | None]) -> Check:
    """Not ready while `running()` names a process that is down, while the
    app's port is closed, or while its sidecar's healthz fails."""
    ports = load().apps[app]

    def check() -> str | None:
        down = running()
        if down:
            return down
        if not _port_open(ports.app):
            return f"{app} does not accept connections on {ports.app} yet"
        if not _healthy(sidecar_healthz(app)):
            return f"{app}'s daprd is not healthy yet"
        return None

    return check


class _Handler(BaseHTTPRequestHandler):
    check: Check

    def do_GET(self) -> None:
        if self.path != PATH:
            self.send_error(404)
            return
        why = self.check()
        body = (why or "ready").encode() + b"\n"
        self.send_response(503 if why else 200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: Tilt probes every second."""


def serve(port: int, check: Check) -> Server:
    """Answer GET /readyz on loopback:`port` from a daemon thread until
    `shutdown()`; SystemExit when the port is taken."""
    handler = type("ReadyzHandler", (_Handler,), {"check": staticmethod(check)})
    try:
        server = ThreadingHTTPServer((LOOPBACK, port), handler)
    except OSError as err:
        raise SystemExit(
            f"readiness port {port} is taken ({err}): is another mesh running?"
        ) from err
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="readyz", daemon=True).start()
    return server
