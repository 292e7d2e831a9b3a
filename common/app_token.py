"""The app-side check of Dapr's APP_API_TOKEN (the Python SDK does not do it).

When APP_API_TOKEN is set, the sidecar sends it as `dapr-api-token` on every
call into the app; anything else reaching the app port directly is refused.
Written once, used by every gRPC service and by the gateway.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

import grpc

from common.tracing_grpc import incoming_traceparent, traced_handler

HEADER = "dapr-api-token"
# daprd 1.18 sends the token with deliveries and proxied calls, but not with
# its discovery calls or its app health probe; these reveal nothing private.
UNAUTHENTICATED_METHODS = frozenset(
    {
        "/dapr.proto.runtime.v1.AppCallback/ListTopicSubscriptions",
        "/dapr.proto.runtime.v1.AppCallback/ListInputBindings",
        "/dapr.proto.runtime.v1.AppCallbackHealthCheck/HealthCheck",
    }
)


def token_matches(expected: str | None, presented: str | None) -> bool:
    if not expected:
        return True
    return presented is not None and hmac.compare_digest(
        expected.encode(), presented.encode()
    )


# grpc ships no type stubs here, so its base class is Any to mypy.
class AppTokenInterceptor(grpc.ServerInterceptor):  # type: ignore[misc, unused-ignore]
    """Refuses calls without the sidecar's token; a span (and the trace id of
    every log line) for each call it lets through."""

    def __init__(self, expected: str | None) -> None:
        self._expected = expected

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        metadata = dict(details.invocation_metadata or ())
        handler = continuation(details)
        if handler is None:
            return None
        if details.method not in UNAUTHENTICATED_METHODS and not token_matches(
            self._expected, metadata.get(HEADER)
        ):
            return _deny(handler)
        if details.method in UNAUTHENTICATED_METHODS:
            return handler  # discovery and health probes: no span, no count
        traceparent = incoming_traceparent(metadata)
        return traced_handler(handler, details.method, traceparent)


def _deny(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    def abort(_request: Any, context: grpc.ServicerContext) -> None:
        context.abort(
            grpc.StatusCode.UNAUTHENTICATED, "missing or wrong dapr-api-token"
        )

    if handler.request_streaming or handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(abort)
    return grpc.unary_unary_rpc_method_handler(
        abort,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
