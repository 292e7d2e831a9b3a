"""`metrics.observe` reuses each labelled child it looked up: the series it
feeds are the ones Prometheus serves, and repeated calls add up."""

from __future__ import annotations

from prometheus_client import REGISTRY

from common import metrics


def served(operation: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "daprshop_requests_total", {"operation": operation, "outcome": outcome}
    )
    return value or 0.0


def latencies(operation: str) -> float:
    value = REGISTRY.get_sample_value(
        "daprshop_request_seconds_count", {"operation": operation}
    )
    return value or 0.0


def test_repeated_observations_add_up_in_the_served_series() -> None:
    before_ok, before_error = served("query t1", "ok"), served("query t1", "error")
    before_seconds = latencies("query t1")

    for _ in range(3):
        metrics.observe("query t1", "ok", 0.001)
    metrics.observe("query t1", "error", 0.002)

    assert served("query t1", "ok") == before_ok + 3
    assert served("query t1", "error") == before_error + 1
    assert latencies("query t1") == before_seconds + 4
