"""AuthSettings: env names, defaults, and refused secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.auth import AuthSettings


def test_reads_the_documented_environment_names(clean_env: pytest.MonkeyPatch) -> None:
    env = {
        "ENVIRONMENT": "prod",
        "OIDC_ISSUER": "https://shop.eu.auth0.com/",
        "OIDC_AUDIENCE": "https://api.shop.example",
        "OIDC_CLIENT_ID": "abc123",
        "OIDC_CLIENT_SECRET": "a-real-secret-from-the-vault",
        "PUBLIC_URL": "https://shop.example/",
        "SESSION_SECRET": "x" * 40,
        "OIDC_LEEWAY_SECONDS": "10",
        "OIDC_JWKS_REFRESH_COOLDOWN_SECONDS": "120",
    }
    for name, value in env.items():
        clean_env.setenv(name, value)

    settings = AuthSettings()

    assert settings.environment == "prod"
    assert settings.oidc_issuer == "https://shop.eu.auth0.com/"  # kept exactly
    assert settings.oidc_audience == "https://api.shop.example"
    assert settings.oidc_client_id == "abc123"
    assert settings.public_url == "https://shop.example"
    assert settings.callback_url == "https://shop.example/auth/callback"
    assert settings.secure_cookies
    assert settings.oidc_leeway_seconds == 10
    assert settings.oidc_jwks_refresh_cooldown_seconds == 120


def test_defaults_run_the_local_mesh(clean_env: pytest.MonkeyPatch) -> None:
    settings = AuthSettings()
    assert settings.environment == "dev"
    assert settings.oidc_issuer == "http://127.0.0.1:18080/shop"
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.oidc_leeway_seconds == 30
    assert settings.oidc_jwks_refresh_cooldown_seconds == 60
    assert not settings.secure_cookies


@pytest.mark.parametrize("environment", ["test", "prod"])
@pytest.mark.parametrize("secret", [None, "", "local-dev-only", "changethis"])
def test_a_default_or_empty_client_secret_is_refused_outside_dev(
    clean_env: pytest.MonkeyPatch, environment: str, secret: str | None
) -> None:
    clean_env.setenv("ENVIRONMENT", environment)
    clean_env.setenv("SESSION_SECRET", "s" * 40)
    if secret is not None:
        clean_env.setenv("OIDC_CLIENT_SECRET", secret)
    with pytest.raises(ValidationError, match="OIDC_CLIENT_SECRET"):
        AuthSettings()


def test_the_default_client_secret_is_fine_in_dev(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("OIDC_CLIENT_SECRET", "")
    assert AuthSettings().oidc_client_secret.get_secret_value() == ""


@pytest.mark.parametrize("secret", [None, "", "too-short"])
def test_a_default_or_weak_session_secret_is_refused_in_prod(
    clean_env: pytest.MonkeyPatch, secret: str | None
) -> None:
    clean_env.setenv("ENVIRONMENT", "prod")
    clean_env.setenv("OIDC_CLIENT_SECRET", "a-real-secret-from-the-vault")
    if secret is not None:
        clean_env.setenv("SESSION_SECRET", secret)
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        AuthSettings()


def test_the_default_session_secret_is_fine_in_test(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("ENVIRONMENT", "test")
    clean_env.setenv("OIDC_CLIENT_SECRET", "a-real-secret")
    assert AuthSettings().session_secret.get_secret_value()


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://x", "http://x/?a=1"])
def test_urls_must_be_absolute_http(clean_env: pytest.MonkeyPatch, url: str) -> None:
    clean_env.setenv("PUBLIC_URL", url)
    with pytest.raises(ValidationError):
        AuthSettings()


def test_the_api_audience_must_not_be_the_client_id(
    clean_env: pytest.MonkeyPatch,
) -> None:
    """Else an ID token (audience: the client id) would pass as an API bearer."""
    with pytest.raises(ValidationError, match="OIDC_AUDIENCE must differ"):
        AuthSettings(oidc_audience="daprshop-web", oidc_client_id="daprshop-web")


def test_the_jwks_max_age_is_read_from_the_environment(
    clean_env: pytest.MonkeyPatch,
) -> None:
    assert AuthSettings().oidc_jwks_max_age_seconds == 300
    clean_env.setenv("OIDC_JWKS_MAX_AGE_SECONDS", "120")
    assert AuthSettings().oidc_jwks_max_age_seconds == 120
