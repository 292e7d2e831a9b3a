"""Cross-cutting ASGI middleware: trace ids, the access log, the RateLimit-*
headers a limiter decided, and CORS when origins are configured."""

from __future__ import annotations

import logging
import re
import secrets
import time

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import logs
from gateway import clients

log = logging.getLogger(__name__)

_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_QUIET_PATHS = ("/healthz", "/readyz")


class RequestContextMiddleware:
    """Sets the trace id (from `traceparent`, or a new one) for logs and outbound
    calls, adds the RateLimit-* headers a limiter decided, logs each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        traceparent = headers.get(b"traceparent", b"").decode("latin-1").strip()
        if not _TRACEPARENT.match(traceparent):
            traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"
        trace_token = logs.trace_id.set(logs.trace_id_from_traceparent(traceparent))
        parent_token = clients.current_traceparent.set(traceparent)
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
            clients.current_traceparent.reset(parent_token)
            logs.trace_id.reset(trace_token)


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
