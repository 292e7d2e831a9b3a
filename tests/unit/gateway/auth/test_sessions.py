"""After login: /auth/logout, /auth/me and the principal dependencies on
protected routes, through a FastAPI app."""

from __future__ import annotations

import httpx
import pytest

from gateway.auth import (
    AuthSettings,
)
from tests.unit.gateway.auth.fakes import (
    KID,
    PUBLIC_URL,
    FakeProvider,
    forge,
)
from tests.unit.gateway.auth.login_app import (
    assert_oauth_error,
    build_app,
    start_login,
)

pytestmark = pytest.mark.anyio

# --- /auth/logout ------------------------------------------------------------


async def test_logout_clears_the_cookie_and_goes_to_the_provider(
    gateway: httpx.AsyncClient,
) -> None:
    await start_login(gateway)
    response = await gateway.get("/auth/logout")

    assert response.status_code == 302
    assert response.headers["location"].startswith("https://idp.test/shop/endsession?")
    assert 'daprshop_login=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]


async def test_logout_without_end_session_endpoint_is_204(
    http: httpx.AsyncClient, settings: AuthSettings, provider: FakeProvider
) -> None:
    provider.end_session = False
    transport = httpx.ASGITransport(app=build_app(http, settings))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        response = await client.post("/auth/logout")
    assert response.status_code == 204
    assert "Max-Age=0" in response.headers["set-cookie"]


# --- /auth/me and the dependencies -------------------------------------------


async def test_me_returns_the_verified_claims_subset(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    token = provider.token(permissions=["orders:write", "products:write"], extra="x")
    response = await gateway.get(
        "/auth/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "sub": "google-oauth2|alice",
        "email": "alice@example.com",
        "name": "Alice",
        "permissions": ["orders:write", "products:write"],
    }


async def test_me_without_a_token_is_401(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/auth/me")
    assert_oauth_error(response, 401, "invalid_request")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/auth/me", "/admin-only", "/whoami"])
async def test_a_bad_token_is_401_with_a_bearer_challenge(
    gateway: httpx.AsyncClient, provider: FakeProvider, path: str
) -> None:
    bad = forge({"alg": "none", "kid": KID}, provider.claims())
    response = await gateway.get(path, headers={"Authorization": f"Bearer {bad}"})

    assert_oauth_error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_anonymous_callers_get_no_principal(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/whoami")
    assert response.json() == {"sub": None}


async def test_a_valid_token_reaches_protected_endpoints(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    token = provider.token(permissions=["products:write"])
    response = await gateway.get(
        "/admin-only", headers={"Authorization": f"bearer {token}"}
    )
    assert response.json() == {"can_write": True}


async def test_an_unreachable_provider_is_503_not_401(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    token = provider.token()
    provider.down = True
    response = await gateway.get(
        "/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert_oauth_error(response, 503, "temporarily_unavailable")
