"""A process's logs, traces and metrics, set up once at start.

Logs (common.logs) carry the trace id of the current span; spans
(common.tracing) go to the trace store through the exporter
(common.zipkin); metrics (common.metrics) are served on METRICS_PORT, with
the sidecar's metadata beside them outside prod (common.sidecar_metadata).
"""

from __future__ import annotations

from common import logs, metrics, sidecar_metadata, status_http, tracing
from common.settings import ServiceSettings
from common.zipkin import ZipkinExporter


def configure(settings: ServiceSettings) -> ZipkinExporter | None:
    """Returns the exporter (to close at stop), or None when spans go nowhere."""
    logs.configure(settings.app_id, settings.log_format, settings.log_level)
    exporter = ZipkinExporter(settings.zipkin_url) if settings.zipkin_url else None
    tracing.configure(settings.app_id, exporter, settings.trace_sampling)
    metrics.serve(settings.metrics_port)
    if settings.environment != "prod":
        status_http.report_metadata(sidecar_metadata.view(settings))
    return exporter
