"""Login helpers: return_to, the signed cookie, PKCE, the provider calls."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gateway.auth import AuthSettings, LoginError, OidcClient
from gateway.auth.jwks import OidcDiscovery
from gateway.auth.oidc import LoginCookie, LoginState, pkce_challenge, safe_return_to
from tests.unit.gateway.auth.fakes import (
    AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    FakeProvider,
)


@pytest.mark.parametrize(
    "value", [None, "", "/", "/orders", "/orders?page=2#top", "/a/b%2Fc"]
)
def test_relative_paths_are_allowed_as_return_to(value: str | None) -> None:
    assert safe_return_to(value) == (value or "/")


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.test/",
        "//evil.test/",
        "/\\evil.test",
        "\\\\evil.test",
        "javascript:alert(1)",
        "orders",
        "/orders\r\nSet-Cookie: x=1",
        "/\tevil",
        "http:/evil.test",
    ],
)
def test_other_return_to_values_are_refused(value: str) -> None:
    with pytest.raises(LoginError):
        safe_return_to(value)


def test_pkce_challenge_is_rfc7636_s256() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_login_states_are_random_and_pkce_sized() -> None:
    first, second = LoginState.new("/"), LoginState.new("/")
    assert len({first.state, second.state, first.nonce, second.nonce}) == 4
    assert 43 <= len(first.code_verifier) <= 128


def test_the_cookie_round_trips() -> None:
    cookie = LoginCookie(b"k" * 32, max_age=600)
    login = LoginState.new("/orders")
    assert cookie.load(cookie.dump(login)) == login


def test_a_tampered_cookie_is_refused() -> None:
    cookie = LoginCookie(b"k" * 32, max_age=600)
    value = cookie.dump(LoginState.new("/"))
    payload, _, mac = value.partition(".")
    forged = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload + "==").replace(b'"/"', b'"//evil"')
    )
    for bad in (f"{forged.decode().rstrip('=')}.{mac}", payload, f"{payload}.", ""):
        with pytest.raises(LoginError):
            cookie.load(bad)


def test_a_cookie_signed_with_another_secret_is_refused() -> None:
    value = LoginCookie(b"a" * 32, max_age=600).dump(LoginState.new("/"))
    with pytest.raises(LoginError, match="not valid"):
        LoginCookie(b"b" * 32, max_age=600).load(value)


def test_an_old_cookie_is_refused() -> None:
    now = [1_000_000.0]
    cookie = LoginCookie(b"k" * 32, max_age=600, clock=lambda: now[0])
    value = cookie.dump(LoginState.new("/", now=now[0]))
    now[0] += 601
    with pytest.raises(LoginError, match="expired"):
        cookie.load(value)


@pytest.fixture
def oidc(http: httpx.AsyncClient, settings: AuthSettings) -> OidcClient:
    discovery = OidcDiscovery(http, issuer=ISSUER, timeout=httpx.Timeout(1.0))
    return OidcClient(http, discovery, settings)


@pytest.mark.anyio
async def test_the_authorization_url_asks_for_code_with_pkce(
    oidc: OidcClient, settings: AuthSettings
) -> None:
    login = LoginState.new("/")
    url = urlsplit(await oidc.authorization_url(login))
    params = {k: v[0] for k, v in parse_qs(url.query).items()}

    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://idp.test/shop/authorize"
    assert params == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": settings.callback_url,
        "scope": "openid profile email",
        "state": login.state,
        "nonce": login.nonce,
        "code_challenge": pkce_challenge(login.code_verifier),
        "code_challenge_method": "S256",
        "audience": AUDIENCE,
    }


@pytest.mark.anyio
@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_the_code_exchange_authenticates_the_client(
    http: httpx.AsyncClient,
    provider: FakeProvider,
    settings: AuthSettings,
    method: str,
) -> None:
    settings = settings.model_copy(update={"oidc_client_auth_method": method})
    discovery = OidcDiscovery(http, issuer=ISSUER, timeout=httpx.Timeout(1.0))
    oidc = OidcClient(http, discovery, settings)
    login = LoginState.new("/")
    query = (await oidc.authorization_url(login)).split("?", 1)[1]
    code = provider.authorize(query)

    tokens = await oidc.exchange_code(code, login.code_verifier)

    assert tokens.token_type == "Bearer"
    assert tokens.expires_in == 600
    request = provider.requests[-1]
    assert ("authorization" in request.headers) == (method == "client_secret_basic")
    assert CLIENT_SECRET.encode() in (
        request.content
        if method == "client_secret_post"
        else base64.b64decode(request.headers["authorization"][6:])
    )


@pytest.mark.anyio
async def test_a_refused_code_exchange_is_a_login_error(
    oidc: OidcClient, provider: FakeProvider
) -> None:
    login = LoginState.new("/")
    code = provider.authorize((await oidc.authorization_url(login)).split("?", 1)[1])
    wrong_verifier = hashlib.sha256(b"guess").hexdigest()

    with pytest.raises(LoginError) as err:
        await oidc.exchange_code(code, wrong_verifier)

    assert (err.value.error, err.value.description) == ("invalid_grant", "PKCE failed")


@pytest.mark.anyio
async def test_logout_url_uses_end_session_endpoint(
    oidc: OidcClient, settings: AuthSettings
) -> None:
    url = urlsplit(await oidc.logout_url("id.token.hint") or "")
    assert url.path == "/shop/endsession"
    assert parse_qs(url.query) == {
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": [settings.public_url],
        "id_token_hint": ["id.token.hint"],
    }


@pytest.mark.anyio
async def test_logout_url_for_auth0_without_end_session_endpoint(
    rsa_key: object, settings: AuthSettings
) -> None:
    issuer = "https://shop.eu.auth0.com/"
    doc = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}authorize",
        "token_endpoint": f"{issuer}oauth/token",
        "jwks_uri": f"{issuer}.well-known/jwks.json",
    }
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=doc))
    )
    discovery = OidcDiscovery(http, issuer=issuer, timeout=httpx.Timeout(1.0))
    oidc = OidcClient(http, discovery, settings)

    url = urlsplit(await oidc.logout_url() or "")

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{issuer}v2/logout"
    assert parse_qs(url.query)["returnTo"] == [settings.public_url]
