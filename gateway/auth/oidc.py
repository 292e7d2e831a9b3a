"""Helpers of the authorization-code login: PKCE, the signed login cookie, and the
calls to the provider's authorization, token and logout endpoints.

No server-side session store: what the callback must check (state, PKCE
verifier, nonce, where to go afterwards) travels in one HMAC-signed cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx

from gateway.auth.jwks import OidcDiscovery, ProviderError
from gateway.auth.settings import AuthSettings

log = logging.getLogger(__name__)

LOGIN_SCOPE = "openid profile email"
_COOKIE_CONTEXT = b"daprshop.login-state.v1."
_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class LoginError(Exception):
    """The login cannot go on; `error`/`description` follow RFC 6749 §5.2 style."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_challenge(verifier: str) -> str:
    """S256 code challenge (RFC 7636 §4.2)."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def safe_return_to(value: str | None) -> str:
    """A same-origin relative path to land on after login; raises LoginError.

    Rejects absolute and scheme-relative URLs (`//evil`, `/\\evil`), anything
    with a scheme or host, and control characters.
    """
    if value is None or value == "":
        return "/"
    if len(value) > 2048 or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise LoginError("invalid_request", "return_to is not a relative path")
    parts = urlsplit(value)
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or parts.scheme
        or parts.netloc
    ):
        raise LoginError("invalid_request", "return_to must be a path on this site")
    return value


@dataclass(frozen=True)
class LoginState:
    """What /login remembers for /callback."""

    state: str
    code_verifier: str
    nonce: str
    return_to: str
    issued_at: int

    @classmethod
    def new(cls, return_to: str, *, now: float | None = None) -> LoginState:
        return cls(
            state=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),  # 86 chars, RFC 7636 allows 43-128
            nonce=secrets.token_urlsafe(32),
            return_to=return_to,
            issued_at=int(time.time() if now is None else now),
        )


class LoginCookie:
    """Serializes LoginState into a signed (not encrypted) cookie value.

    The values are single-use random strings bound to the browser that started
    the login, so signing is enough; the verifier is only useful with the code.
    """

    name = "daprshop_login"

    def __init__(
        self,
        secret: bytes,
        *,
        max_age: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("an empty secret cannot sign cookies")
        self._secret = secret
        self.max_age = max_age
        self._clock = clock

    def _mac(self, payload: str) -> str:
        digest = hmac.new(
            self._secret, _COOKIE_CONTEXT + payload.encode("ascii"), hashlib.sha256
        ).digest()
        return _b64url(digest)

    def dump(self, login: LoginState) -> str:
        body = {
            "s": login.state,
            "v": login.code_verifier,
            "n": login.nonce,
            "r": login.return_to,
            "t": login.issued_at,
        }
        payload = _b64url(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def load(self, value: str | None) -> LoginState:
        """The LoginState in a cookie this gateway set recently; raises LoginError."""
        if not value:
            raise LoginError("invalid_request", "no login in progress (cookie missing)")
        payload, _, mac = value.partition(".")
        if (
            not payload
            or not mac
            or not hmac.compare_digest(mac.encode(), self._mac(payload).encode())
        ):
            raise LoginError("invalid_request", "login cookie is not valid")
        try:
            body = json.loads(_b64url_decode(payload))
            login = LoginState(
                state=str(body["s"]),
                code_verifier=str(body["v"]),
                nonce=str(body["n"]),
                return_to=safe_return_to(str(body["r"])),
                issued_at=int(body["t"]),
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as err:
            raise LoginError("invalid_request", "login cookie is not valid") from err
        age = self._clock() - login.issued_at
        if age > self.max_age or age < -60:
            raise LoginError("invalid_request", "login expired; start again")
        return login


@dataclass(frozen=True)
class TokenResponse:
    """The token endpoint's answer to the code exchange (RFC 6749 §5.1)."""

    access_token: str
    id_token: str
    token_type: str
    expires_in: int | None


def _provider_error(body: Any, fallback: str) -> LoginError:
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    if not isinstance(error, str) or not _ERROR_CODE.match(error):
        error = "invalid_grant"
    if not isinstance(description, str):
        description = fallback
    return LoginError(error, description[:200])


class OidcClient:
    """The gateway's side of the authorization-code flow with one provider."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        discovery: OidcDiscovery,
        settings: AuthSettings,
    ) -> None:
        self._http = http
        self._discovery = discovery
        self._settings = settings
        self._timeout = httpx.Timeout(settings.oidc_http_timeout_seconds)

    async def authorization_url(self, login: LoginState) -> str:
        """Where to send the browser (PKCE S256, state, nonce, audience)."""
        metadata = await self._discovery.get()
        params = {
            "response_type": "code",
            "client_id": self._settings.oidc_client_id,
            "redirect_uri": self._settings.callback_url,
            "scope": LOGIN_SCOPE,
            "state": login.state,
            "nonce": login.nonce,
            "code_challenge": pkce_challenge(login.code_verifier),
            "code_challenge_method": "S256",
            # Auth0 issues a JWT access token for our API only when asked by name.
            "audience": self._settings.oidc_audience,
        }
        return _with_query(metadata.authorization_endpoint, params)

    async def exchange_code(self, code: str, code_verifier: str) -> TokenResponse:
        """Trade the code for tokens; raises LoginError or ProviderError."""
        metadata = await self._discovery.get()
        settings = self._settings
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.callback_url,
            "code_verifier": code_verifier,
        }
        auth = httpx.Auth()  # none, whatever the shared client's default is
        secret = settings.oidc_client_secret.get_secret_value()
        if settings.oidc_client_auth_method == "client_secret_basic":
            # RFC 6749 §2.3.1: form-encode both parts before Basic encoding.
            auth = httpx.BasicAuth(
                quote(settings.oidc_client_id, safe=""), quote(secret, safe="")
            )
        else:
            form |= {"client_id": settings.oidc_client_id, "client_secret": secret}
        try:
            response = await self._http.post(
                metadata.token_endpoint,
                data=form,
                auth=auth,
                timeout=self._timeout,
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as err:
            raise ProviderError(f"token endpoint unreachable: {err!r}") from err
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200:
            log.info("code exchange refused with HTTP %s", response.status_code)
            raise _provider_error(body, "the provider refused the authorization code")
        return _token_response(body)

    async def logout_url(self, id_token_hint: str | None = None) -> str | None:
        """The provider's logout URL returning to PUBLIC_URL, or None if it has none."""
        metadata = await self._discovery.get()
        settings = self._settings
        if metadata.end_session_endpoint:
            params = {
                "client_id": settings.oidc_client_id,
                "post_logout_redirect_uri": settings.public_url,
            }
            if id_token_hint:
                params["id_token_hint"] = id_token_hint
            return _with_query(metadata.end_session_endpoint, params)
        host = urlsplit(metadata.issuer).hostname or ""
        if host.endswith(".auth0.com"):
            # Auth0 without RP-initiated logout enabled publishes no
            # end_session_endpoint; its own logout endpoint is /v2/logout.
            params = {
                "client_id": settings.oidc_client_id,
                "returnTo": settings.public_url,
            }
            return _with_query(metadata.issuer.rstrip("/") + "/v2/logout", params)
        return None


def _with_query(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"


def _token_response(body: Any) -> TokenResponse:
    if not isinstance(body, dict):
        raise LoginError("invalid_grant", "the token endpoint answered no JSON object")
    access_token = body.get("access_token")
    id_token = body.get("id_token")
    token_type = body.get("token_type")
    expires_in = body.get("expires_in")
    if not isinstance(access_token, str) or not access_token:
        raise LoginError("invalid_grant", "no access_token in the token response")
    if not isinstance(id_token, str) or not id_token:
        raise LoginError("invalid_grant", "no id_token in the token response")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise LoginError("invalid_grant", "token_type is not Bearer")
    return TokenResponse(access_token, id_token, "Bearer", _seconds(expires_in))


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if isinstance(value, int | str) else None
    except ValueError:
        return None
