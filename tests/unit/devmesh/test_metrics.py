"""`make metrics`: reading one app's Prometheus text into its summary row."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from devmesh import metrics


def samples_of(registry: CollectorRegistry) -> metrics.Samples:
    out: metrics.Samples = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def test_an_app_row_counts_failures_latency_and_dead_letters() -> None:
    registry = CollectorRegistry()
    served = Counter(
        "daprshop_requests", "", ("operation", "outcome"), registry=registry
    )
    latency = Histogram(
        "daprshop_request_seconds",
        "",
        ("operation",),
        buckets=(0.01, 0.1, 1),
        registry=registry,
    )
    dead = Counter("daprshop_dead_letters", "", ("topic",), registry=registry)
    for seconds in (0.005, 0.005, 0.005, 0.05):
        served.labels("OrderService/PlaceOrder", "OK").inc()
        latency.labels("OrderService/PlaceOrder").observe(seconds)
    served.labels("OrderService/PlaceOrder", "UNAVAILABLE").inc()
    dead.labels("order-created").inc(2)

    s = samples_of(registry)
    assert metrics.quantile(s, "daprshop_request_seconds", 0.5) == 0.01
    assert metrics.quantile(s, "daprshop_request_seconds", 0.95) == 0.1
    row = metrics.app_row("order", s).split()
    assert row[:5] == ["order", "5", "1", "≤10", "≤100"]
    assert row[6] == "2"


def test_an_endpoint_that_does_not_answer_is_down() -> None:
    assert metrics.app_row("user", None) == f"{'user':13} down"
    assert metrics.quantile({}, "daprshop_request_seconds", 0.5) is None
