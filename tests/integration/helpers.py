"""Small clients the integration and e2e tests share (real network, real mesh)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from dapr.clients import DaprClient
from dapr.conf import settings as dapr_settings

from common.caller import NOBODY, ORDERS_WRITE, PRODUCTS_WRITE, Actor
from devmesh import ports, trust

T = TypeVar("T")


def http_json(
    url: str,
    headers: dict[str, str] | None = None,
    data: dict[str, Any] | None = None,
    method: str | None = None,
) -> Any:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def dapr_token(app: str) -> str:
    """The token `app`'s sidecar API wants (each sidecar has its own)."""
    return trust.api_tokens()[app].dapr


# What the gateway forwards for a signed-in admin (common.caller).
ADMIN = Actor("admin", "admin", frozenset({PRODUCTS_WRITE, ORDERS_WRITE}))


def sidecar_metadata(
    shared_env: dict[str, str], app: str, via: str = "gateway", actor: Actor = NOBODY
) -> tuple[tuple[str, str], ...]:
    """Call `app` through `via`'s sidecar (gRPC proxying), with `via`'s token,
    made for `actor` (as the gateway names the acting user)."""
    return (
        ("dapr-app-id", app),
        ("dapr-api-token", dapr_token(via)),
        *actor.metadata(),
    )


def sidecar_channel(via: str = "gateway") -> grpc.Channel:
    """A channel to `via`'s sidecar; calls name their target with dapr-app-id."""
    return grpc.insecure_channel(f"127.0.0.1:{ports.load().apps[via].grpc}")


def eventually(
    probe: Callable[[], T | None],
    timeout: float = 30.0,
    interval: float = 0.3,
    what: str = "condition",
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def mailpit_messages(query: str = "") -> list[dict[str, Any]]:
    base = f"http://127.0.0.1:{ports.load().mailpit_http}/api/v1"
    url = (
        f"{base}/search?query={urllib.request.quote(query)}"
        if query
        else f"{base}/messages"
    )
    return list(http_json(url).get("messages") or [])


def dapr_client(shared_env: dict[str, str], via: str = "user") -> DaprClient:
    """The Dapr SDK client bound to `via`'s sidecar (token and both ports)."""
    app = ports.load().apps[via]
    dapr_settings.DAPR_API_TOKEN = dapr_token(via)
    dapr_settings.DAPR_HTTP_PORT = app.http
    dapr_settings.DAPR_GRPC_PORT = app.grpc
    return DaprClient(address=f"127.0.0.1:{app.grpc}")
