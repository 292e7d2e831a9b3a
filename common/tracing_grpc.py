"""gRPC and the trace: a span around each call served and each call made.

- `traced_handler`: the app side of a call from its sidecar (an RPC, or an
  event delivery through `OnTopicEvent`) continues the sidecar's
  `traceparent`, as a SERVER (or CONSUMER) span, and is counted and timed
  (common.metrics).
- `TraceClientInterceptor` (blocking channels: the Dapr SDK client, service
  to service) and `AioTraceClientInterceptor` (the gateway's grpc.aio
  channel): each call made inside a span is a CLIENT span of its own, and
  carries its `traceparent` to the sidecar, which continues it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeGuard

import grpc

from common import metrics, tracing

ON_TOPIC_EVENT = "/dapr.proto.runtime.v1.AppCallback/OnTopicEvent"


def short_name(method: str) -> str:
    """`/order.v1.OrderService/PlaceOrder` -> `OrderService/PlaceOrder`."""
    service, _, name = method.lstrip("/").partition("/")
    return f"{service.rsplit('.', 1)[-1]}/{name}" if name else method


def incoming_traceparent(metadata: dict[str, Any]) -> str | None:
    """The caller's trace context as a W3C `traceparent`.

    daprd sends its own span in `grpc-trace-bin` (OpenCensus binary format:
    version 0, then field 0 = trace id, 1 = span id, 2 = options) and, on
    proxied calls, forwards the caller's `traceparent` as it came: the binary
    one is the nearer parent, so it wins when it parses.
    """
    raw = metadata.get("grpc-trace-bin")
    if _is_trace_bin(raw):
        flags = "01" if raw[28] & 1 else "00"
        return f"00-{raw[2:18].hex()}-{raw[19:27].hex()}-{flags}"
    value = metadata.get("traceparent")
    return value if isinstance(value, str) else None


def _is_trace_bin(raw: object) -> TypeGuard[bytes]:
    return (
        isinstance(raw, bytes)
        and len(raw) == 29
        and (raw[0], raw[1], raw[18], raw[27]) == (0, 0, 1, 2)
    )


def traced_handler(
    handler: grpc.RpcMethodHandler, method: str, traceparent: str | None
) -> grpc.RpcMethodHandler:
    if handler.unary_unary is None:
        return handler
    inner = handler.unary_unary
    name = short_name(method)
    kind: tracing.Kind = "CONSUMER" if method == ON_TOPIC_EVENT else "SERVER"

    def traced(request: Any, context: grpc.ServicerContext) -> Any:
        started = time.perf_counter()
        outcome = "OK"
        with tracing.continue_trace(name, traceparent, kind=kind) as span:
            try:
                return inner(request, context)
            except Exception:
                outcome = "ERROR"
                raise
            finally:
                code = _code(context)
                if code is not None and code != grpc.StatusCode.OK:
                    outcome = code.name
                if outcome != "OK":
                    span.tag("grpc.status_code", outcome)
                metrics.observe(name, outcome, time.perf_counter() - started)

    return grpc.unary_unary_rpc_method_handler(
        traced,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


def _code(context: grpc.ServicerContext) -> grpc.StatusCode | None:
    code = getattr(context, "code", None)
    value = code() if callable(code) else None
    return value if isinstance(value, grpc.StatusCode) else None


def _remote(metadata: Any) -> str:
    for key, value in metadata or ():
        if key == "dapr-app-id":
            return str(value)
    return "daprd"


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Any
    credentials: Any
    wait_for_ready: bool | None
    compression: Any


# grpc ships no type stubs here, so its base classes are Any to mypy.
class TraceClientInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc, unused-ignore]
    """Blocking channels: a CLIENT span per call made inside a span."""

    def intercept_unary_unary(
        self,
        continuation: Callable[[Any, Any], Any],
        details: Any,
        request: Any,
    ) -> Any:
        if tracing.current() is None:
            return continuation(details, request)
        remote = _remote(details.metadata)
        with tracing.span(short_name(details.method), "CLIENT", remote) as span:
            metadata = [*(details.metadata or ()), ("traceparent", _parent(span))]
            outcome = continuation(
                _CallDetails(
                    details.method,
                    details.timeout,
                    metadata,
                    details.credentials,
                    getattr(details, "wait_for_ready", None),
                    getattr(details, "compression", None),
                ),
                request,
            )
            error = outcome.exception() if hasattr(outcome, "exception") else None
            if error is not None:
                span.tag("error", getattr(error, "code", lambda: "error")())
            return outcome


class AioTraceClientInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc, unused-ignore]
    """The gateway's grpc.aio channel: a CLIENT span per call made in a span."""

    async def intercept_unary_unary(
        self,
        continuation: Callable[[Any, Any], Any],
        details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        if tracing.current() is None:
            return await continuation(details, request)
        remote = _remote(details.metadata)
        with tracing.span(short_name(_text(details.method)), "CLIENT", remote) as span:
            metadata = grpc.aio.Metadata(
                *(details.metadata or ()), ("traceparent", _parent(span))
            )
            call = await continuation(
                grpc.aio.ClientCallDetails(
                    details.method,
                    details.timeout,
                    metadata,
                    details.credentials,
                    details.wait_for_ready,
                ),
                request,
            )
            try:
                await call
            except grpc.aio.AioRpcError as err:
                span.tag("error", err.code().name)
            return call


def _parent(span: tracing.Span) -> str:
    return span.context.traceparent


def _text(method: str | bytes) -> str:
    return method.decode() if isinstance(method, bytes) else method
