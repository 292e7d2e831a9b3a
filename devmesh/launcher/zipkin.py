"""Zipkin, the trace store: every daprd and every app exports spans to it.

One JVM with in-memory storage (bounded by MEM_MAX_SPANS: old traces are
forgotten first), listening on loopback only over plain HTTP: the UI at
/zipkin/, the span API at /api/v2/spans, readiness at /health. No other
collector (Kafka, RabbitMQ, Scribe, gRPC) is on. It needs about 20 s to start;
nothing waits for it: sidecars and apps drop spans while it is away.
"""

from __future__ import annotations

from devmesh import bootstrap
from devmesh.launcher.spec import LOOPBACK, Proc
from devmesh.ports import load


def base_url() -> str:
    return f"http://{LOOPBACK}:{load().zipkin}"


def spans_url() -> str:
    """Where spans go (Zipkin v2 JSON), for daprd's Configuration and the apps."""
    return f"{base_url()}/api/v2/spans"


def trace_url(trace_id: str) -> str:
    """One trace in the UI."""
    return f"{base_url()}/zipkin/traces/{trace_id}"


def zipkin_spec() -> Proc:
    port = load().zipkin
    return Proc(
        "zipkin",
        ready_url=f"{base_url()}/health",
        labels=("infra",),
        links=((f"{base_url()}/zipkin/", "Traces (Zipkin)"),),
        argv=[
            "java",
            "-Xms64m",
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(bootstrap.zipkin_jar()),
            f"--armeria.ports[0].ip={LOOPBACK}",
            f"--armeria.ports[0].port={port}",
            "--armeria.ports[0].protocols=http",
        ],
        env={
            "STORAGE_TYPE": "mem",
            "MEM_MAX_SPANS": "200000",
            # Zipkin does not trace itself, and logs only what matters.
            "SELF_TRACING_ENABLED": "false",
            "LOGGING_LEVEL_ROOT": "WARN",
        },
    )
