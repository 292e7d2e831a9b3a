"""Logging set up once per process: readable text under Tilt, JSON lines on request.

Every record carries the service name and the current trace id (taken from the
W3C `traceparent` that Dapr propagates), so one request can be followed across
services.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

trace_id: contextvars.ContextVar[str] = contextvars.ContextVar("trace_id", default="-")


def trace_id_from_traceparent(traceparent: str | None) -> str:
    """`00-<trace id>-<span id>-<flags>` -> trace id, or "-"."""
    if not traceparent:
        return "-"
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else "-"


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.trace_id = trace_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": getattr(record, "service", "-"),
            "trace_id": getattr(record, "trace_id", "-"),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure(service: str, fmt: str = "text", level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-5s %(service)s [%(trace_id)s] "
                "%(name)s: %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("pymongo", "urllib3", "httpx", "httpcore", "aiosmtplib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
