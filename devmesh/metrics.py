"""`make metrics`: one screen summing up the mesh from its Prometheus endpoints.

Each app serves its own metrics (common.metrics) on its `app_metrics` port and
each daprd on its `metrics` port (devmesh/ports.yaml); this reads them all
once and prints a row per app and per sidecar. An endpoint that does not
answer shows as `down`. The `prometheus` resource scrapes the same endpoints
with history and queries (devmesh/launcher/prometheus.py); this needs none.
"""

from __future__ import annotations

import math
import urllib.request
from collections import defaultdict
from collections.abc import Iterable

from prometheus_client.parser import text_string_to_metric_families

from devmesh.launcher.spec import LOOPBACK
from devmesh.ports import APP_NAMES, load

Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(port: int) -> Samples | None:
    try:
        with urllib.request.urlopen(
            f"http://{LOOPBACK}:{port}/metrics", timeout=2
        ) as resp:
            text = resp.read().decode()
    except OSError:
        return None
    samples: Samples = defaultdict(list)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[sample.name].append((sample.labels, sample.value))
    return samples


def total(samples: Samples, name: str, **match: str) -> float:
    return sum(
        value
        for labels, value in samples.get(name, ())
        if all(labels.get(k) == v for k, v in match.items())
    )


def quantile(samples: Samples, name: str, q: float) -> float | None:
    """The upper bound of the bucket holding quantile `q`, over all labels."""
    buckets: dict[float, float] = defaultdict(float)
    for labels, value in samples.get(f"{name}_bucket", ()):
        buckets[float(labels["le"])] += value
    if not buckets or buckets[math.inf] == 0:
        return None
    wanted = q * buckets[math.inf]
    return next(le for le in sorted(buckets) if buckets[le] >= wanted)


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return ">5s" if math.isinf(seconds) else f"≤{seconds * 1000:g}"


def app_row(app: str, s: Samples | None) -> str:
    if s is None:
        return f"{app:13} down"
    served = total(s, "daprshop_requests_total")
    failed = served - total(s, "daprshop_requests_total", outcome="OK")
    failed -= total(s, "daprshop_requests_total", outcome="ok")
    events = "/".join(
        f"{total(s, 'daprshop_events_consumed_total', outcome=o):g}"
        for o in ("success", "retry", "drop")
    )
    outbox = (
        f"{total(s, 'daprshop_outbox_pending'):g}"
        f"/{total(s, 'daprshop_outbox_lag_seconds'):.1f}s"
        if "daprshop_outbox_pending" in s
        else "-"
    )
    sent = (
        f"{total(s, 'daprshop_emails_sent_total'):g}"
        f"/{total(s, 'daprshop_sms_sent_total'):g}"
    )
    spans = (
        f"{total(s, 'daprshop_trace_spans_exported_total'):g}"
        f"/{total(s, 'daprshop_trace_spans_dropped_total'):g}"
    )
    return (
        f"{app:13} {served:>6g} {failed:>5g}"
        f" {_ms(quantile(s, 'daprshop_request_seconds', 0.5)):>7}"
        f" {_ms(quantile(s, 'daprshop_request_seconds', 0.95)):>7}"
        f" {events:>11} {total(s, 'daprshop_dead_letters_total'):>5g}"
        f" {sent:>7} {outbox:>9} {spans:>10}"
    )


def sidecar_row(app: str, s: Samples | None) -> str:
    if s is None:
        return f"{app:13} down"
    calls_in = total(s, "dapr_grpc_io_server_completed_rpcs_total") + total(
        s, "dapr_http_server_request_count_total"
    )
    return (
        f"{app:13} {calls_in:>8g}"
        f" {total(s, 'dapr_grpc_io_client_completed_rpcs_total'):>9g}"
        f" {total(s, 'dapr_component_pubsub_egress_count_total'):>9g}"
        f" {total(s, 'dapr_component_pubsub_ingress_count_total'):>9g}"
        f" {total(s, 'process_resident_memory_bytes') / 2**20:>7.0f}"
    )


def summary(apps: Iterable[str] = APP_NAMES) -> str:
    ports = load()
    lines = [
        "apps (common.metrics)       latency ms  events",
        f"{'app':13} {'served':>6} {'fail':>5} {'p50':>7} {'p95':>7}"
        f" {'ok/retry/dl':>11} {'dead':>5} {'mail/sms':>7} {'outbox':>9}"
        f" {'spans/lost':>10}",
    ]
    lines += [app_row(a, scrape(ports.apps[a].app_metrics)) for a in apps]
    lines += [
        "",
        "sidecars (daprd)",
        f"{'app':13} {'calls in':>8} {'calls out':>9} {'published':>9}"
        f" {'delivered':>9} {'RSS MiB':>7}",
    ]
    lines += [sidecar_row(a, scrape(ports.apps[a].metrics)) for a in apps]
    lines += [
        "",
        "endpoints: "
        + ", ".join(
            f"{a} :{ports.apps[a].app_metrics} (daprd :{ports.apps[a].metrics})"
            for a in apps
        ),
        f"history and queries: Prometheus, http://{LOOPBACK}:{ports.prometheus}/query",
    ]
    return "\n".join(lines)
