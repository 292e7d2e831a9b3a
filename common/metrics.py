"""The apps' own Prometheus metrics, defined once, served on METRICS_PORT.

Every app exposes the same names (an absent series just stays at zero), so
one dashboard or `make metrics` reads them all alike:

- `daprshop_requests_total{operation, outcome}`, `daprshop_request_seconds`
  (histogram, by operation): gRPC calls served, GraphQL operations;
- `daprshop_events_consumed_total{topic, outcome}` (success, retry, drop) and
  `daprshop_dead_letters_total{topic}` (the drops: sent to the dead-letter topic);
- `daprshop_emails_sent_total`, `daprshop_sms_sent_total`;
- `daprshop_outbox_pending`, `daprshop_outbox_lag_seconds` (rows not yet
  published, age of the oldest; apps with an outbox);
- `daprshop_trace_spans_exported_total`, `daprshop_trace_spans_dropped_total`.

The metrics server (common.status_http) listens on 127.0.0.1 only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from common import status_http

log = logging.getLogger(__name__)

PREFIX = "daprshop"

REQUESTS = Counter(f"{PREFIX}_requests", "Operations served", ("operation", "outcome"))
REQUEST_SECONDS = Histogram(
    f"{PREFIX}_request_seconds",
    "Latency of the operations served",
    ("operation",),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_CONSUMED = Counter(
    f"{PREFIX}_events_consumed", "Events delivered to this app", ("topic", "outcome")
)
DEAD_LETTERS = Counter(
    f"{PREFIX}_dead_letters", "Events dropped to their dead-letter topic", ("topic",)
)
EMAILS_SENT = Counter(f"{PREFIX}_emails_sent", "Emails handed to SMTP")
SMS_SENT = Counter(f"{PREFIX}_sms_sent", "SMS handed to the SMS binding")
SPANS_EXPORTED = Counter(
    f"{PREFIX}_trace_spans_exported", "Spans the trace store accepted"
)
SPANS_DROPPED = Counter(
    f"{PREFIX}_trace_spans_dropped", "Spans lost (trace store away, queue full)"
)


# The labelled children, looked up once: `labels()` takes a lock and rebuilds
# its key on every call. Bounded, since a refused GraphQL document's label
# comes from the client's text (see gateway.graphql.tracing).
_children: dict[tuple[str, str], tuple[Counter, Histogram]] = {}
_MAX_CHILDREN = 1024


def observe(operation: str, outcome: str, seconds: float) -> None:
    children = _children.get((operation, outcome))
    if children is None:
        children = (
            REQUESTS.labels(operation, outcome),
            REQUEST_SECONDS.labels(operation),
        )
        if len(_children) < _MAX_CHILDREN:
            _children[(operation, outcome)] = children
    children[0].inc()
    children[1].observe(seconds)


def event_consumed(topic: str, outcome: str) -> None:
    EVENTS_CONSUMED.labels(topic or "-", outcome).inc()
    if outcome == "drop":
        DEAD_LETTERS.labels(topic or "-").inc()


class OutboxCollector(Collector):
    """Outbox pending rows and lag, read at scrape time (one small query).

    `read` returns (pending rows, age in seconds of the oldest); a failed read
    reports nothing rather than failing the scrape.
    """

    def __init__(self, read: Callable[[], tuple[int, float]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            pending, lag = self._read()
        except Exception as err:
            log.debug("outbox metrics unavailable: %s", err)
            return
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_pending", "Outbox rows not yet published", value=pending
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_lag_seconds",
            "Age of the oldest unpublished outbox row",
            value=lag,
        )


def register_outbox(read: Callable[[], tuple[int, float]]) -> None:
    REGISTRY.register(OutboxCollector(read))


def serve(port: int) -> None:
    """The /metrics endpoint (and a service's /readyz, common.status_http) on
    127.0.0.1:`port` (0: none)."""
    if port <= 0:
        return
    status_http.serve(port)
    log.info("metrics on 127.0.0.1:%s/metrics", port)
