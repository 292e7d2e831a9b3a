"""Spans of a process: W3C trace context in and out, nesting, sampling, logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from common import logs, tracing
from common.tracing_grpc import incoming_traceparent

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Collected:
    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []

    def submit(self, span: dict[str, Any]) -> None:
        self.spans.append(span)


@pytest.fixture
def exported() -> Iterator[Collected]:
    collected = Collected()
    tracing.configure("order", collected, sampling=1.0)
    yield collected
    tracing.configure("-", None, sampling=1.0)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  # no flags
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    ],
)
def test_a_malformed_traceparent_is_no_context(value: str | None) -> None:
    assert tracing.parse_traceparent(value) is None


def test_a_valid_traceparent_and_a_later_version_are_read() -> None:
    assert tracing.parse_traceparent(PARENT) == tracing.SpanContext(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", sampled=True
    )
    later = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-what-comes"
    context = tracing.parse_traceparent(later)
    assert context is not None and not context.sampled


def test_spans_nest_under_the_callers_and_are_exported(exported: Collected) -> None:
    with tracing.continue_trace("OrderService/PlaceOrder", PARENT) as server:
        assert logs.trace_id.get() == "4bf92f3577b34da6a3ce929d0e0e4736"
        with tracing.span("reserve", "CLIENT", "product", items=2) as client:
            assert tracing.current_traceparent() == client.context.traceparent
    assert logs.trace_id.get() == "-"
    assert tracing.current() is None

    inner, outer = exported.spans
    assert outer["parentId"] == "00f067aa0ba902b7" and outer["kind"] == "SERVER"
    assert inner["parentId"] == server.context.span_id
    assert inner["remoteEndpoint"] == {"serviceName": "product"}
    assert inner["tags"] == {"items": "2"}
    assert {s["traceId"] for s in exported.spans} == {server.context.trace_id}
    assert outer["localEndpoint"] == {"serviceName": "order"}


def test_a_malformed_parent_starts_a_new_sampled_trace(exported: Collected) -> None:
    with tracing.continue_trace("op", "00-zz-yy-01") as span:
        pass
    (root,) = exported.spans
    assert "parentId" not in root and span.context.sampled
    assert root["traceId"] == span.context.trace_id != "zz"


def test_unsampled_traces_propagate_but_record_nothing(exported: Collected) -> None:
    tracing.configure("order", exported, sampling=0.0)
    with tracing.span("op") as span:
        assert tracing.current_traceparent() == span.context.traceparent
        assert span.context.traceparent.endswith("-00")
    with tracing.continue_trace("op", PARENT):  # the caller's decision wins
        pass
    assert len(exported.spans) == 1


def test_a_failing_operation_is_recorded_with_its_error(exported: Collected) -> None:
    with pytest.raises(KeyError), tracing.span("lookup"):
        raise KeyError("x")
    assert exported.spans[0]["tags"] == {"error": "KeyError"}


def test_daprd_binary_trace_context_wins_over_the_forwarded_header() -> None:
    trace, span = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736"), bytes(range(1, 9))
    binary = b"\x00\x00" + trace + b"\x01" + span + b"\x02\x01"
    metadata = {"grpc-trace-bin": binary, "traceparent": "garbage"}
    assert incoming_traceparent(metadata) == (f"00-{trace.hex()}-{span.hex()}-01")
    assert incoming_traceparent({"grpc-trace-bin": b"\x00short"}) is None
    assert incoming_traceparent({"traceparent": PARENT}) == PARENT
