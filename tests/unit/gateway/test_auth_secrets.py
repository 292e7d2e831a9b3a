"""The gateway's OIDC client secret and session secret: read from the secret
store through its own sidecar before its auth settings are checked, where
OIDC_CLIENT_SECRET_SECRET / SESSION_SECRET_SECRET name them; from the
environment (dev defaults) elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from pydantic import ValidationError

from common import sidecar
from common.app_secrets import SecretUnavailable
from gateway.app import create_app
from gateway.auth.settings import DEV_CLIENT_SECRET, DEV_SESSION_SECRET
from gateway.auth_secrets import WeakStoredSecret, load_auth_settings
from gateway.config import GatewaySettings
from tests.unit.gateway.fakes import offline_http

CLIENT_SECRET = "c" * 40
SESSION_SECRET = "s" * 32
AUTH_ENV = ("ENVIRONMENT", "OIDC_CLIENT_SECRET", "SESSION_SECRET")


@dataclass
class Response:
    secret: dict[str, str]


class Denied(Exception):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.PERMISSION_DENIED


@dataclass
class Sidecar:
    store: dict[str, dict[str, str]]
    asked: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False

    def get_secret(self, store_name: str, key: str) -> Response:
        self.asked.append((store_name, key))
        if key not in self.store:
            raise Denied(f"access denied to {key}")
        return Response(self.store[key])

    def __enter__(self) -> Sidecar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in AUTH_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def fake(env: pytest.MonkeyPatch) -> Sidecar:
    client = Sidecar(
        {
            "oidc-client-secret": {"oidc-client-secret": CLIENT_SECRET},
            "session-secret": {"session-secret": SESSION_SECRET},
        }
    )

    def make_client(settings: Any) -> Sidecar:
        return client

    env.setattr(sidecar, "make_client", make_client)
    return client


def named(**overrides: str) -> GatewaySettings:
    values = {
        "secret_store": "secrets",
        "oidc_client_secret_secret": "oidc-client-secret",
        "session_secret_secret": "session-secret",
        **overrides,
    }
    return GatewaySettings(**values)  # type: ignore[arg-type]


def test_no_secret_names_no_sidecar_call_and_the_dev_defaults(fake: Sidecar) -> None:
    settings = load_auth_settings(GatewaySettings())
    assert fake.asked == []
    assert settings.oidc_client_secret.get_secret_value() == DEV_CLIENT_SECRET
    assert settings.session_secret.get_secret_value() == DEV_SESSION_SECRET


def test_the_named_secrets_are_read_through_the_sidecar(fake: Sidecar) -> None:
    settings = load_auth_settings(named())
    assert fake.asked == [
        ("secrets", "oidc-client-secret"),
        ("secrets", "session-secret"),
    ]
    assert fake.closed
    assert settings.oidc_client_secret.get_secret_value() == CLIENT_SECRET
    assert settings.session_secret.get_secret_value() == SESSION_SECRET


def test_the_stored_values_win_over_the_environment(
    fake: Sidecar, env: pytest.MonkeyPatch
) -> None:
    env.setenv("OIDC_CLIENT_SECRET", "from-the-environment")
    env.setenv("SESSION_SECRET", "e" * 40)
    settings = load_auth_settings(named())
    assert settings.oidc_client_secret.get_secret_value() == CLIENT_SECRET
    assert settings.session_secret.get_secret_value() == SESSION_SECRET


def test_only_the_named_one_comes_from_the_store(
    fake: Sidecar, env: pytest.MonkeyPatch
) -> None:
    env.setenv("OIDC_CLIENT_SECRET", "from-the-environment")
    settings = load_auth_settings(named(oidc_client_secret_secret=""))
    assert fake.asked == [("secrets", "session-secret")]
    assert settings.oidc_client_secret.get_secret_value() == "from-the-environment"
    assert settings.session_secret.get_secret_value() == SESSION_SECRET


def test_in_prod_the_stored_values_pass_the_weak_secret_check(
    fake: Sidecar, env: pytest.MonkeyPatch
) -> None:
    unnamed, stored = GatewaySettings(), named()  # (they want tokens in prod)
    env.setenv("ENVIRONMENT", "prod")
    with pytest.raises(ValidationError, match="OIDC_CLIENT_SECRET"):
        load_auth_settings(unnamed)  # the defaults: refused
    settings = load_auth_settings(stored)
    assert settings.environment == "prod"
    assert settings.session_secret.get_secret_value() == SESSION_SECRET


@pytest.mark.parametrize(
    ("secret", "value"),
    [
        ("oidc-client-secret", DEV_CLIENT_SECRET),
        ("oidc-client-secret", "changethis"),
        ("session-secret", DEV_SESSION_SECRET),
        ("session-secret", "s" * 31),
    ],
)
def test_a_default_or_short_stored_value_is_refused_even_in_dev(
    fake: Sidecar, secret: str, value: str
) -> None:
    fake.store[secret] = {secret: value}
    with pytest.raises(WeakStoredSecret, match=secret) as refused:
        load_auth_settings(named())
    assert value not in str(refused.value)  # the message names, never tells


def test_an_empty_stored_value_is_refused(fake: Sidecar) -> None:
    fake.store["session-secret"] = {"session-secret": ""}
    with pytest.raises(SecretUnavailable, match="session-secret"):
        load_auth_settings(named())


def test_a_secret_the_sidecar_refuses_fails_at_once(fake: Sidecar) -> None:
    del fake.store["oidc-client-secret"]
    with pytest.raises(SecretUnavailable, match="oidc-client-secret"):
        load_auth_settings(named())
    assert fake.asked == [("secrets", "oidc-client-secret")]  # no retry


def test_the_app_is_built_with_the_stored_secrets(
    fake: Sidecar, env: pytest.MonkeyPatch
) -> None:
    """Outside dev the environment's defaults are refused; the store's pass."""
    env.setenv("ENVIRONMENT", "test")
    with pytest.raises(ValidationError, match="OIDC_CLIENT_SECRET"):
        create_app(GatewaySettings(), http=offline_http())
    assert fake.asked == []
    create_app(named(), http=offline_http())
    assert [key for _, key in fake.asked] == ["oidc-client-secret", "session-secret"]
