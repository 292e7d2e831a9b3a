"""How the gateway answers a request it refuses before GraphQL runs: over the
rate limit (429), limiter down (503), body too large (413), bad login (OIDC
errors, gateway.auth), a refused persisted query (gateway.graphql.persisted).
GraphQL paths get GraphQL-shaped JSON, /auth OAuth-shaped."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gateway.admission import BodyTooLarge
from gateway.auth import AUTH_PREFIX, AuthHTTPError, auth_error_handler
from gateway.graphql.persisted import PersistedQueryError
from gateway.ratelimit import RateLimiterDown, RateLimitExceeded


def _graphql_error(
    message: str, code: str, status: int, **headers: str
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers or None,
    )


async def rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitExceeded)
    return JSONResponse(exc.body, status_code=429, headers=exc.decision.headers())


async def limiter_down(request: Request, exc: Exception) -> JSONResponse:
    if request.url.path.startswith(AUTH_PREFIX):
        return JSONResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": "try again shortly",
            },
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return _graphql_error(
        "Temporarily unavailable; try again shortly.",
        "UNAVAILABLE",
        503,
        **{"Retry-After": "5"},
    )


async def body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return _graphql_error(
        f"The request body is larger than {exc.limit} bytes.", "PAYLOAD_TOO_LARGE", 413
    )


async def persisted_query_refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PersistedQueryError)
    # Never cached: the client registers the document and asks again.
    return _graphql_error(
        exc.message, exc.code, exc.status, **{"Cache-Control": "no-store"}
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PersistedQueryError, persisted_query_refused)
    app.add_exception_handler(AuthHTTPError, auth_error_handler)
    app.add_exception_handler(RateLimitExceeded, rate_limited)
    app.add_exception_handler(RateLimiterDown, limiter_down)
    app.add_exception_handler(BodyTooLarge, body_too_large)
