"""Typed settings of the gateway's OIDC authentication (Auth0, or a local provider)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The values the local mesh uses (devmesh/launcher.py); refused where noted.
DEV_CLIENT_SECRET = "local-dev-only"
DEV_SESSION_SECRET = "local-dev-only-session-secret"
_WEAK_SECRETS = frozenset({"", "changethis", DEV_CLIENT_SECRET, DEV_SESSION_SECRET})
MIN_SESSION_SECRET_LENGTH = 32


def weak_client_secret(value: str) -> bool:
    """Empty or a well-known default."""
    return value in _WEAK_SECRETS


def weak_session_secret(value: str) -> bool:
    """A well-known default, or too short to sign the login cookie with."""
    return value in _WEAK_SECRETS or len(value) < MIN_SESSION_SECRET_LENGTH


# Where build_auth_router's routes live; the provider redirects back to
# PUBLIC_URL + AUTH_PREFIX + "/callback".
AUTH_PREFIX = "/auth"


class AuthSettings(BaseSettings):
    """Read from the environment; each field's env name is its upper-cased name."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["dev", "test", "prod"] = "dev"
    oidc_issuer: str = "http://127.0.0.1:18080/shop"
    oidc_audience: str = "daprshop-api"
    oidc_client_id: str = "daprshop-web"
    oidc_client_secret: SecretStr = SecretStr(DEV_CLIENT_SECRET)
    oidc_client_auth_method: Literal["client_secret_basic", "client_secret_post"] = (
        "client_secret_basic"
    )
    public_url: str = "http://127.0.0.1:8000"
    # Signs the short-lived login cookie (state, PKCE verifier, nonce).
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    oidc_jwks_refresh_cooldown_seconds: float = Field(default=60.0, ge=0)
    # Keys older than this are fetched again before use, so a key the provider
    # removed from its JWKS stops validating within this time (plus the cooldown
    # if a refresh just failed; the old keys serve while the provider is down).
    oidc_jwks_max_age_seconds: float = Field(default=300.0, gt=0)
    oidc_http_timeout_seconds: float = Field(default=5.0, gt=0)
    login_max_age_seconds: int = Field(default=600, gt=0)

    @field_validator("oidc_issuer", "public_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r} must not have a query or fragment")
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("oidc_audience", "oidc_client_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _audience_is_not_the_client(self) -> AuthSettings:
        # An ID token's audience is the client id: if the API audience were the
        # same, an ID token would pass as an API bearer.
        if self.oidc_audience == self.oidc_client_id:
            raise ValueError("OIDC_AUDIENCE must differ from OIDC_CLIENT_ID")
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> AuthSettings:
        client_secret = self.oidc_client_secret.get_secret_value()
        if self.environment != "dev" and weak_client_secret(client_secret):
            raise ValueError(
                "OIDC_CLIENT_SECRET is empty or a default; set it outside dev"
            )
        session_secret = self.session_secret.get_secret_value()
        if self.environment == "prod" and weak_session_secret(session_secret):
            raise ValueError(
                "SESSION_SECRET is a default or shorter than 32 characters; "
                "set a random one in prod"
            )
        return self

    @property
    def callback_url(self) -> str:
        """The redirect_uri registered with the provider."""
        return f"{self.public_url}{AUTH_PREFIX}/callback"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")
