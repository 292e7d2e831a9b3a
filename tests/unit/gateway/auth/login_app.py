"""A FastAPI app with the /auth routes and two principal-protected routes,
and the steps of a login through it, shared by the /auth route tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from gateway.auth import (
    AuthSettings,
    CurrentPrincipal,
    OptionalPrincipal,
    build_auth_services,
    mount_auth,
)
from tests.unit.gateway.auth.fakes import (
    FakeProvider,
)

pytestmark = pytest.mark.anyio


def build_app(http: httpx.AsyncClient, settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    mount_auth(app, build_auth_services(http, settings))

    @app.get("/whoami")
    async def whoami(principal: OptionalPrincipal) -> dict[str, Any]:
        return {"sub": principal.subject if principal else None}

    @app.get("/admin-only")
    async def admin_only(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"can_write": principal.has("products:write")}

    return app


async def start_login(
    gateway: httpx.AsyncClient, return_to: str = "/orders"
) -> tuple[str, dict[str, str]]:
    """GET /auth/login; the authorize URL's query, raw and parsed."""
    response = await gateway.get("/auth/login", params={"return_to": return_to})
    assert response.status_code == 302
    query = urlsplit(response.headers["location"]).query
    return query, {k: v[0] for k, v in parse_qs(query).items()}


async def log_in(
    gateway: httpx.AsyncClient,
    provider: FakeProvider,
    subject: str = "u1",
    accept: str = "*/*",
) -> httpx.Response:
    query, params = await start_login(gateway)
    code = provider.authorize(query, subject)
    return await gateway.get(
        "/auth/callback",
        params={"code": code, "state": params["state"]},
        headers={"Accept": accept},
    )


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
