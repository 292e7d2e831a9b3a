"""FastAPI dependencies: who is calling, from the `Authorization: Bearer` header.

The composition root puts the TokenVerifier on `app.state.token_verifier` and
registers `auth_error_handler` (`gateway.auth.mount_auth` does both). Without
the handler, errors still get their status and WWW-Authenticate header, with
the body wrapped in FastAPI's `{"detail": ...}`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection

from gateway.auth.jwks import ProviderError
from gateway.auth.tokens import InvalidToken, TokenVerifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """The verified caller. Permissions come only from the `permissions` claim
    (Auth0 RBAC), never from `scope`."""

    subject: str
    email: str | None
    name: str | None
    permissions: frozenset[str]
    raw_claims: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("token has no subject")
        permissions = claims.get("permissions", [])
        if not isinstance(permissions, list) or not all(
            isinstance(p, str) for p in permissions
        ):
            raise InvalidToken("permissions claim is not a list of strings")
        email = claims.get("email")
        name = claims.get("name")
        return cls(
            subject=subject,
            email=email if isinstance(email, str) else None,
            name=name if isinstance(name, str) else None,
            permissions=frozenset(permissions),
            raw_claims=MappingProxyType(dict(claims)),
        )

    def has(self, permission: str) -> bool:
        return permission in self.permissions


class AuthHTTPError(HTTPException):
    """An OAuth-style error: JSON `{"error", "error_description"}` plus headers."""

    def __init__(
        self,
        status_code: int,
        error: str,
        description: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            status_code,
            detail={"error": error, "error_description": description},
            headers=headers,
        )
        self.error = error
        self.description = description


def invalid_token(description: str) -> AuthHTTPError:
    return AuthHTTPError(
        401,
        "invalid_token",
        description,
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def provider_unavailable() -> AuthHTTPError:
    return AuthHTTPError(
        503,
        "temporarily_unavailable",
        "the identity provider cannot be reached; try again shortly",
        {"Retry-After": "5"},
    )


async def auth_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthHTTPError)
    return JSONResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer` header, None if there is none.

    Raises 401 for a Bearer header without a token.
    """
    header = connection.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    if not token:
        raise invalid_token("empty bearer token")
    return token


async def authenticate(token: str | None, verifier: TokenVerifier) -> Principal | None:
    """The Principal for a bearer token (None for none); raises AuthHTTPError.

    Also usable outside FastAPI dependencies, e.g. when building GraphQL context.
    """
    if token is None:
        return None
    try:
        claims = await verifier.verify_access_token(token)
        return Principal.from_claims(claims)
    except InvalidToken as err:
        log.debug("rejected bearer token: %s", err.description)
        raise invalid_token(err.description) from err
    except ProviderError as err:
        log.warning("cannot verify bearer tokens: %s", err)
        raise provider_unavailable() from err


def get_token_verifier(connection: HTTPConnection) -> TokenVerifier:
    verifier = getattr(connection.app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not set (see mount_auth)")
    return verifier


async def optional_principal(
    connection: HTTPConnection,
    verifier: Annotated[TokenVerifier, Depends(get_token_verifier)],
) -> Principal | None:
    """None for anonymous callers; a presented but bad token is still a 401."""
    return await authenticate(bearer_token(connection), verifier)


async def required_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise AuthHTTPError(
            401,
            "invalid_request",
            "a bearer token is required",
            {"WWW-Authenticate": "Bearer"},
        )
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(required_principal)]
