"""Cross-cutting ASGI middleware: the request's span, the access log, the
RateLimit-* headers a limiter decided, and CORS when origins are configured."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import tracing

log = logging.getLogger(__name__)

_QUIET_PATHS = ("/healthz", "/readyz")


class RequestContextMiddleware:
    """Runs each request in a span (continuing a valid `traceparent`, else a
    new trace: every log line and outbound call carries it), adds the
    RateLimit-* headers a limiter decided, logs each request. Probes get no
    span."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with _request_span(scope):
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                decision = state.get("rate_limit")
                if decision is not None:
                    present = {k.lower() for k, _ in message.get("headers", [])}
                    extra = [
                        (name.lower().encode(), value.encode())
                        for name, value in decision.headers().items()
                        if name.lower().encode() not in present
                    ]
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            path = scope.get("path", "")
            level = logging.DEBUG if path in _QUIET_PATHS else logging.INFO
            log.log(
                level,
                "%s %s %s %.1f ms",
                scope.get("method", "WS"),
                path,
                status or "-",
                (time.perf_counter() - started) * 1000,
            )


def _request_span(scope: Scope) -> Any:
    path = scope.get("path", "")
    if path in _QUIET_PATHS:
        return nullcontext()
    return _traced(scope, path)


@contextmanager
def _traced(scope: Scope, path: str) -> Iterator[tracing.Span]:
    headers = dict(scope.get("headers") or ())
    traceparent = headers.get(b"traceparent", b"").decode("latin-1")
    name = f"{scope.get('method', 'WS')} {path}"
    with tracing.continue_trace(name, traceparent, kind="SERVER") as span:
        span.tag("http.path", path)
        yield span


def add_cors(app: FastAPI, origins: tuple[str, ...]) -> None:
    """Let these browser origins call the API (nothing when there are none)."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "traceparent"],
        expose_headers=[
            "Retry-After",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ],
        max_age=600,
    )
