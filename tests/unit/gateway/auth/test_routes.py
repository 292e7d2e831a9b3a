"""The /auth login flow (login, callback) through a FastAPI app."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from gateway.auth import (
    AuthSettings,
)
from tests.unit.gateway.auth.fakes import (
    CLIENT_ID,
    KID,
    PUBLIC_URL,
    FakeProvider,
    forge,
)
from tests.unit.gateway.auth.login_app import (
    assert_oauth_error,
    build_app,
    log_in,
    start_login,
)

pytestmark = pytest.mark.anyio

# --- /auth/login -------------------------------------------------------------


async def test_login_redirects_to_the_provider_with_a_signed_httponly_cookie(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/auth/login", params={"return_to": "/cart"})

    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.netloc}{location.path}" == "idp.test/shop/authorize"
    params = parse_qs(location.query)
    assert params["code_challenge_method"] == ["S256"]
    assert params["scope"] == ["openid profile email"]
    assert params["redirect_uri"] == [f"{PUBLIC_URL}/auth/callback"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("daprshop_login=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/auth" in cookie
    assert "Secure" not in cookie  # PUBLIC_URL is http here
    for secret in (params["state"][0], params["nonce"][0]):
        assert secret not in response.text


async def test_login_cookie_is_secure_behind_https(
    http: httpx.AsyncClient, settings: AuthSettings
) -> None:
    settings = settings.model_copy(update={"public_url": "https://shop.example"})
    transport = httpx.ASGITransport(app=build_app(http, settings))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        response = await client.get("/auth/login")
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("return_to", ["https://evil.test", "//evil.test", "/\\evil"])
async def test_login_refuses_foreign_return_to(
    gateway: httpx.AsyncClient, return_to: str
) -> None:
    response = await gateway.get("/auth/login", params={"return_to": return_to})
    assert_oauth_error(response, 400, "invalid_request")


async def test_login_when_the_provider_is_down_is_503(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.down = True
    response = await gateway.get("/auth/login")
    assert_oauth_error(response, 503, "temporarily_unavailable")


# --- /auth/callback ----------------------------------------------------------


async def test_a_full_login_returns_verified_tokens(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    response = await log_in(gateway, provider, subject="google-oauth2|bob")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "id_token",
        "expires_in",
        "token_type",
        "return_to",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert body["return_to"] == "/orders"
    assert response.headers["cache-control"] == "no-store"
    assert 'daprshop_login=""' in response.headers["set-cookie"]  # spent

    me = await gateway.get(
        "/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["sub"] == "google-oauth2|bob"


async def test_a_browser_lands_on_a_page_with_the_token_and_graphiql(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    response = await log_in(gateway, provider, accept="text/html,*/*;q=0.8")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    token = page.split('onclick="this.select()">')[1].split("</textarea>")[0]
    me = await gateway.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    link = page.split('class="button" href="')[1].split('"')[0]
    path, _, fragment = link.partition("#headers=")
    assert path == "/graphql"
    headers = json.loads(unquote(fragment.replace("&amp;", "&")))
    assert headers == {"Authorization": f"Bearer {token}"}


async def test_a_callback_cannot_be_replayed(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    query, params = await start_login(gateway)
    callback = {"code": provider.authorize(query), "state": params["state"]}
    assert (await gateway.get("/auth/callback", params=callback)).status_code == 200

    replay = await gateway.get("/auth/callback", params=callback)

    assert_oauth_error(replay, 400, "invalid_request")


async def test_callback_without_the_login_cookie_is_400(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/auth/callback", params={"code": "c", "state": "s"})
    assert_oauth_error(response, 400, "invalid_request")


async def test_callback_with_a_wrong_state_is_400(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    query, params = await start_login(gateway)
    code = provider.authorize(query)
    response = await gateway.get(
        "/auth/callback", params={"code": code, "state": params["state"] + "x"}
    )
    assert_oauth_error(response, 400, "invalid_request")
    assert "state" in response.json()["error_description"]


async def test_callback_with_a_provider_error_is_400(
    gateway: httpx.AsyncClient,
) -> None:
    _, params = await start_login(gateway)
    response = await gateway.get(
        "/auth/callback",
        params={
            "state": params["state"],
            "error": "access_denied",
            "error_description": "user said no",
        },
    )
    assert_oauth_error(response, 400, "access_denied")


async def test_callback_rejects_an_id_token_with_another_nonce(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.id_token_claims = {"nonce": "replayed-nonce"}
    response = await log_in(gateway, provider)
    assert_oauth_error(response, 400, "invalid_id_token")
    assert "nonce" in response.json()["error_description"]


async def test_callback_rejects_an_id_token_for_another_client(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.id_token_claims = {"aud": "someone-else", "azp": "someone-else"}
    response = await log_in(gateway, provider)
    assert_oauth_error(response, 400, "invalid_id_token")


async def test_callback_rejects_an_id_token_signed_with_hs256(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.token_overrides = {
        "id_token": forge({"alg": "HS256", "kid": KID}, {"aud": CLIENT_ID}, b"mac")
    }
    response = await log_in(gateway, provider)
    assert_oauth_error(response, 400, "invalid_id_token")


async def test_callback_rejects_an_access_token_for_another_api(
    gateway: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.token_overrides = {"access_token": provider.token(aud="another-api")}
    response = await log_in(gateway, provider)
    assert_oauth_error(response, 400, "invalid_token")


async def test_callback_with_a_refused_code_is_400(
    gateway: httpx.AsyncClient,
) -> None:
    _, params = await start_login(gateway)
    response = await gateway.get(
        "/auth/callback", params={"code": "never-issued", "state": params["state"]}
    )
    assert_oauth_error(response, 400, "invalid_grant")
