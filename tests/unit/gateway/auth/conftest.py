"""Fixtures of the gateway.auth unit tests: a fake provider, keys, settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from gateway.auth import AuthSettings, TokenVerifier, build_auth_services
from gateway.auth.jwks import JwksCache, OidcDiscovery
from tests.unit.gateway.auth.fakes import (
    AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    KID,
    PUBLIC_URL,
    FakeProvider,
    RsaKey,
    rsa_private_key,
)
from tests.unit.gateway.auth.login_app import build_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def rsa_key() -> RsaKey:
    return RsaKey(rsa_private_key("provider"), KID)


@pytest.fixture
def attacker_key() -> RsaKey:
    """Another RSA key that claims the provider's kid."""
    return RsaKey(rsa_private_key("attacker"), KID)


@pytest.fixture
def provider(rsa_key: RsaKey) -> FakeProvider:
    return FakeProvider(rsa_key)


@pytest.fixture
def http(provider: FakeProvider) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(provider.handler))


_AUTH_ENV = (
    "ENVIRONMENT",
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_CLIENT_AUTH_METHOD",
    "PUBLIC_URL",
    "SESSION_SECRET",
    "OIDC_LEEWAY_SECONDS",
    "OIDC_JWKS_REFRESH_COOLDOWN_SECONDS",
    "OIDC_JWKS_MAX_AGE_SECONDS",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in _AUTH_ENV:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


@pytest.fixture
def settings(clean_env: pytest.MonkeyPatch) -> AuthSettings:
    return AuthSettings(
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        public_url=PUBLIC_URL,
    )


@pytest.fixture
def verifier(http: httpx.AsyncClient, settings: AuthSettings) -> TokenVerifier:
    return build_auth_services(http, settings).verifier


@pytest.fixture
def make_cache(
    http: httpx.AsyncClient,
) -> Callable[[float], tuple[JwksCache, list[float]]]:
    """A JwksCache with a hand-driven clock:
    make_cache(cooldown, max_age) -> (cache, clock)."""

    def make(
        cooldown: float = 60.0, max_age: float = 300.0
    ) -> tuple[JwksCache, list[float]]:
        now = [1000.0]
        timeout = httpx.Timeout(2.0)
        discovery = OidcDiscovery(http, issuer=ISSUER, timeout=timeout)
        cache = JwksCache(
            http,
            discovery,
            refresh_cooldown=cooldown,
            max_age=max_age,
            timeout=timeout,
            clock=lambda: now[0],
        )
        return cache, now

    return make


@pytest.fixture
async def gateway(
    http: httpx.AsyncClient, settings: AuthSettings
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(http, settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield client
