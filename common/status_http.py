"""The app's small HTTP server on METRICS_PORT (127.0.0.1 only).

- `/metrics`: Prometheus (common.metrics);
- `/dapr/metadata`: the app's sidecar metadata (common.sidecar_metadata),
  outside prod, for Tilt's *Dapr metadata* link;
- `/readyz`: for Tilt's readiness probe and the test meshes (devmesh), which
  speak no gRPC. A service answers 200 when its readiness checks passed last
  time (the same results Dapr's app health check reads, common.runtime) and
  its sidecar answers; 503 with the reason otherwise. A hung app answers
  nothing, so the probe times out. A process that reports readiness
  elsewhere (the gateway: its own /readyz) answers 404 here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from urllib.parse import urlparse

from prometheus_client.exposition import MetricsHandler

from common.sidecar_metadata import MetadataView

log = logging.getLogger(__name__)

# Why the app is not ready, or None when it is.
ReadinessAnswer = Callable[[], str | None]

_answer: ReadinessAnswer | None = None
_metadata: MetadataView | None = None


def report_readiness(answer: ReadinessAnswer) -> None:
    """Make /readyz answer from `answer` (called once the checks run)."""
    global _answer
    _answer = answer


def report_metadata(view: MetadataView) -> None:
    """Make /dapr/metadata answer from `view`."""
    global _metadata
    _metadata = view


class _Handler(MetricsHandler):
    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path == "/dapr/metadata":
            self._metadata()
            return
        if path != "/readyz":
            super().do_GET()
            return
        answer = _answer
        if answer is None:
            self._reply(404, "no readiness here")
            return
        problem = answer()
        self._reply(503 if problem else 200, problem or "ready")

    def _metadata(self) -> None:
        view = _metadata
        if view is None:
            self._reply(404, "no metadata view here")
            return
        status, text = view()
        kind = "application/json" if status == 200 else "text/plain"
        self._reply(status, text, kind)

    def _reply(self, status: int, text: str, kind: str = "text/plain") -> None:
        body = f"{text}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(port: int) -> ThreadingHTTPServer:
    """Serve on 127.0.0.1:`port` from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, name="status-http", daemon=True
    ).start()
    return server
