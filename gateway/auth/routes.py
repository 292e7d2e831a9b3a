"""REST endpoints of the login: /login, /callback, /logout, /me (mounted at /auth)."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from gateway.auth import welcome
from gateway.auth.deps import CurrentPrincipal
from gateway.auth.jwks import ProviderError
from gateway.auth.oidc import (
    LoginCookie,
    LoginError,
    LoginState,
    OidcClient,
    safe_return_to,
)
from gateway.auth.settings import AUTH_PREFIX, AuthSettings
from gateway.auth.tokens import InvalidToken, TokenVerifier

log = logging.getLogger(__name__)

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers=_NO_STORE,
    )


def _unavailable() -> JSONResponse:
    return _error(
        503,
        "temporarily_unavailable",
        "the identity provider cannot be reached; try again shortly",
    )


def build_auth_router(
    verifier: TokenVerifier, oidc: OidcClient, settings: AuthSettings
) -> APIRouter:
    """The auth endpoints; include them with `prefix=AUTH_PREFIX` ("/auth").

    /me needs `app.state.token_verifier` (see `gateway.auth.mount_auth`).
    """
    router = APIRouter(tags=["auth"])
    cookie = LoginCookie(
        settings.session_secret.get_secret_value().encode(),
        max_age=settings.login_max_age_seconds,
    )

    def set_login_cookie(response: Response, value: str) -> None:
        response.set_cookie(
            cookie.name,
            value,
            max_age=cookie.max_age,
            path=AUTH_PREFIX,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )

    def clear_login_cookie(response: Response) -> None:
        response.delete_cookie(
            cookie.name,
            path=AUTH_PREFIX,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )

    @router.get("/login", status_code=302)
    async def login(return_to: str | None = None) -> Response:
        """Start the authorization-code flow (PKCE S256) at the provider."""
        try:
            login_state = LoginState.new(safe_return_to(return_to))
            url = await oidc.authorization_url(login_state)
        except LoginError as err:
            return _error(400, err.error, err.description)
        except ProviderError as err:
            log.warning("login: %s", err)
            return _unavailable()
        response = RedirectResponse(url, status_code=302, headers=_NO_STORE)
        set_login_cookie(response, cookie.dump(login_state))
        return response

    @router.get("/callback")
    async def callback(request: Request) -> Response:
        """Finish the login: check state, exchange the code, verify both tokens.
        A browser gets a page with the token and a signed-in GraphiQL link;
        other clients the tokens as JSON."""
        try:
            body = await _finish_login(request)
        except LoginError as err:
            response: Response = _error(400, err.error, err.description)
        except ProviderError as err:
            log.warning("callback: %s", err)
            response = _unavailable()
        else:
            response = (
                HTMLResponse(welcome.page(body, settings.public_url), headers=_NO_STORE)
                if welcome.wants_html(request.headers.get("accept"))
                else JSONResponse(body, headers=_NO_STORE)
            )
        # One attempt per login: the state and verifier are spent either way.
        clear_login_cookie(response)
        return response

    async def _finish_login(request: Request) -> dict[str, Any]:
        params = request.query_params
        login_state = cookie.load(request.cookies.get(cookie.name))
        state = params.get("state", "")
        if not hmac.compare_digest(state.encode(), login_state.state.encode()):
            raise LoginError("invalid_request", "state does not match this login")
        if "error" in params:
            raise LoginError(
                "access_denied"
                if params["error"] == "access_denied"
                else "login_failed",
                params.get("error_description", "the provider refused the login")[:200],
            )
        code = params.get("code")
        if not code:
            raise LoginError("invalid_request", "no authorization code")
        tokens = await oidc.exchange_code(code, login_state.code_verifier)
        try:
            await verifier.verify_id_token(
                tokens.id_token,
                client_id=settings.oidc_client_id,
                nonce=login_state.nonce,
                access_token=tokens.access_token,
            )
        except InvalidToken as err:
            raise LoginError("invalid_id_token", err.description) from err
        try:
            claims = await verifier.verify_access_token(tokens.access_token)
        except InvalidToken as err:
            raise LoginError("invalid_token", err.description) from err
        expires_in = tokens.expires_in
        if expires_in is None:
            expires_in = max(0, int(claims["exp"] - time.time()))
        return {
            "access_token": tokens.access_token,
            "id_token": tokens.id_token,
            "expires_in": expires_in,
            "token_type": tokens.token_type,
            "return_to": login_state.return_to,
        }

    @router.api_route("/logout", methods=["GET", "POST"], status_code=302)
    async def logout(id_token_hint: str | None = None) -> Response:
        """Forget the login in progress; sign out at the provider if it can."""
        try:
            url = await oidc.logout_url(id_token_hint)
        except ProviderError as err:
            log.warning("logout: %s", err)
            url = None
        response: Response = (
            RedirectResponse(url, status_code=302) if url else Response(status_code=204)
        )
        clear_login_cookie(response)
        return response

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        """The caller, from their verified access token."""
        return {
            "sub": principal.subject,
            "email": principal.email,
            "name": principal.name,
            "permissions": sorted(principal.permissions),
        }

    return router
