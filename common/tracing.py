"""Spans of this process, in the trace Dapr propagates (W3C trace context).

One trace per operation, end to end: the gateway starts it (or continues the
client's `traceparent`), every Dapr call carries it (common.tracing_grpc), the
outbox stores it with the row, and consumers continue it. Each process records
its own spans here and hands them to an exporter (common.zipkin), which never
blocks the caller: when the trace store is away, spans are dropped and counted.

    tracing.configure("order", ZipkinExporter(url), sampling=1.0)
    with tracing.continue_trace("order PlaceOrder", traceparent, kind="SERVER"):
        with tracing.span("reserve stock", kind="CLIENT"):
            ...

The current span also sets the trace id every log line carries (common.logs).
A malformed `traceparent` is never an error: it starts a new trace.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from common import logs

Kind = Literal["SERVER", "CLIENT", "PRODUCER", "CONSUMER"]

_TRACEPARENT = re.compile(
    r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[0-9a-zA-Z-]*)?$"
)
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16


@dataclass(frozen=True)
class SpanContext:
    trace_id: str
    span_id: str
    sampled: bool

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"


def parse_traceparent(value: str | None) -> SpanContext | None:
    """A valid W3C `traceparent` -> its context; anything else -> None."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())
    if match is None:
        return None
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest):
        return None
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return SpanContext(trace_id, span_id, sampled=bool(int(flags, 16) & 1))


class Exporter(Protocol):
    def submit(self, span: dict[str, Any]) -> None:
        """Take one finished span (Zipkin v2 JSON); never block, never raise."""
        ...


@dataclass
class Span:
    """One timed operation of this process; `name` and `tags` may change
    until it ends (the gateway names its span after the GraphQL operation)."""

    name: str
    context: SpanContext
    parent_id: str | None
    kind: Kind | None = None
    remote_service: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    start_us: int = field(default_factory=lambda: time.time_ns() // 1000)

    def tag(self, key: str, value: object) -> None:
        self.tags[key] = str(value)

    def to_zipkin(self, service: str, duration_us: int) -> dict[str, Any]:
        """The span as Zipkin's v2 JSON model."""
        out: dict[str, Any] = {
            "traceId": self.context.trace_id,
            "id": self.context.span_id,
            "name": self.name,
            "timestamp": self.start_us,
            "duration": max(duration_us, 1),
            "localEndpoint": {"serviceName": service},
        }
        if self.parent_id:
            out["parentId"] = self.parent_id
        if self.kind:
            out["kind"] = self.kind
        if self.remote_service:
            out["remoteEndpoint"] = {"serviceName": self.remote_service}
        if self.tags:
            out["tags"] = dict(self.tags)
        return out


class _Setup:
    service = "-"
    exporter: Exporter | None = None
    sampling = 1.0


_setup = _Setup()
_current: ContextVar[Span | None] = ContextVar("current_span", default=None)


def configure(service: str, exporter: Exporter | None, sampling: float) -> None:
    """Once per process: who we are, where spans go, the share of new traces
    recorded (0..1; a continued trace keeps its caller's decision)."""
    _setup.service = service
    _setup.exporter = exporter
    _setup.sampling = min(max(sampling, 0.0), 1.0)


def current() -> Span | None:
    return _current.get()


def current_traceparent() -> str | None:
    span = _current.get()
    return span.context.traceparent if span else None


def current_trace_id() -> str | None:
    span = _current.get()
    return span.context.trace_id if span else None


def new_root() -> SpanContext:
    """The context of a new trace's root span, sampled by the configured rate."""
    return SpanContext(
        secrets.token_hex(16), secrets.token_hex(8), random.random() < _setup.sampling
    )


@contextmanager
def span(
    name: str,
    kind: Kind | None = None,
    remote_service: str | None = None,
    **tags: object,
) -> Iterator[Span]:
    """A child of the current span (a new trace when there is none)."""
    parent = _current.get()
    with _run(name, parent.context if parent else None, kind, remote_service) as s:
        for key, value in tags.items():
            s.tag(key, value)
        yield s


@contextmanager
def continue_trace(
    name: str,
    traceparent: str | None,
    kind: Kind | None = "SERVER",
    remote_service: str | None = None,
) -> Iterator[Span]:
    """A span under a caller's `traceparent`; a missing or malformed one
    starts a new trace (sampled by the configured rate)."""
    with _run(name, parse_traceparent(traceparent), kind, remote_service) as s:
        yield s


@contextmanager
def _run(
    name: str,
    parent: SpanContext | None,
    kind: Kind | None,
    remote_service: str | None,
) -> Iterator[Span]:
    if parent is None:
        parent_id: str | None = None
        context = new_root()
    else:
        parent_id = parent.span_id
        context = SpanContext(parent.trace_id, secrets.token_hex(8), parent.sampled)
    current_span = Span(name, context, parent_id, kind, remote_service)
    span_token = _current.set(current_span)
    log_token = logs.trace_id.set(context.trace_id)
    started = time.perf_counter_ns()
    try:
        yield current_span
    except BaseException as err:
        current_span.tag("error", type(err).__name__)
        raise
    finally:
        logs.trace_id.reset(log_token)
        _current.reset(span_token)
        if context.sampled and _setup.exporter is not None:
            duration = (time.perf_counter_ns() - started) // 1000
            _setup.exporter.submit(current_span.to_zipkin(_setup.service, duration))
