"""Authentication of the gateway: OpenID Connect (Auth0 in production, the local
mock-oauth2-server under devmesh), RS256 access tokens checked against the
issuer's JWKS.

Wiring, in the composition root when the app is built (one shared
httpx.AsyncClient, closed by the lifespan; nothing is fetched before the
first request)::

    settings = AuthSettings()
    auth = build_auth_services(http, settings)
    mount_auth(app, auth)                  # /auth/{login,callback,logout,me}

or by hand::

    app.state.token_verifier = auth.verifier
    app.add_exception_handler(AuthHTTPError, auth_error_handler)
    app.include_router(
        build_auth_router(auth.verifier, auth.oidc, settings), prefix=AUTH_PREFIX
    )

Endpoints then take `principal: CurrentPrincipal` (401 without a valid token)
or `OptionalPrincipal` (None when anonymous); other code (GraphQL context)
calls `await authenticate(token, verifier)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from gateway.auth.deps import (
    AuthHTTPError,
    CurrentPrincipal,
    OptionalPrincipal,
    Principal,
    auth_error_handler,
    authenticate,
    bearer_token,
    optional_principal,
    required_principal,
)
from gateway.auth.jwks import JwksCache, OidcDiscovery, ProviderError, ProviderMetadata
from gateway.auth.oidc import LoginError, OidcClient
from gateway.auth.routes import build_auth_router
from gateway.auth.settings import AUTH_PREFIX, AuthSettings
from gateway.auth.tokens import InvalidToken, TokenVerifier

__all__ = [
    "AUTH_PREFIX",
    "AuthHTTPError",
    "AuthServices",
    "AuthSettings",
    "CurrentPrincipal",
    "InvalidToken",
    "JwksCache",
    "LoginError",
    "OidcClient",
    "OidcDiscovery",
    "OptionalPrincipal",
    "Principal",
    "ProviderError",
    "ProviderMetadata",
    "TokenVerifier",
    "auth_error_handler",
    "authenticate",
    "bearer_token",
    "build_auth_router",
    "build_auth_services",
    "mount_auth",
    "optional_principal",
    "required_principal",
]


@dataclass(frozen=True)
class AuthServices:
    settings: AuthSettings
    verifier: TokenVerifier
    oidc: OidcClient


def build_auth_services(
    http: httpx.AsyncClient, settings: AuthSettings
) -> AuthServices:
    """Discovery, JWKS cache, verifier and login client over one shared client.

    Nothing is fetched here; discovery and keys load on first use.
    """
    timeout = httpx.Timeout(settings.oidc_http_timeout_seconds)
    discovery = OidcDiscovery(http, issuer=settings.oidc_issuer, timeout=timeout)
    keys = JwksCache(
        http,
        discovery,
        refresh_cooldown=settings.oidc_jwks_refresh_cooldown_seconds,
        max_age=settings.oidc_jwks_max_age_seconds,
        timeout=timeout,
    )
    verifier = TokenVerifier(
        keys,
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        leeway_seconds=settings.oidc_leeway_seconds,
    )
    return AuthServices(settings, verifier, OidcClient(http, discovery, settings))


def mount_auth(app: FastAPI, auth: AuthServices) -> None:
    """Make the dependencies work on `app` and serve the routes at /auth."""
    app.state.token_verifier = auth.verifier
    app.add_exception_handler(AuthHTTPError, auth_error_handler)
    app.include_router(
        build_auth_router(auth.verifier, auth.oidc, auth.settings), prefix=AUTH_PREFIX
    )
