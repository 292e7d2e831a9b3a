"""prod-local: no app or sidecar is given a value of the secret store, only
the names of the secrets it reads itself through its sidecar, and each may
read exactly those."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from common.app_secrets import with_password
from devmesh import access, local_secrets, trust
from devmesh.launcher import prodlocal
from devmesh.launcher.env import app_env
from devmesh.launcher.sidecar import sidecar_env
from devmesh.ports import APP_NAMES
from gateway.auth.settings import DEV_CLIENT_SECRET, AuthSettings
from gateway.auth_secrets import stored_auth_secrets
from gateway.config import GatewaySettings
from services.cart.config import CartSettings
from services.notification.config import NotificationSettings
from services.order.config import OrderSettings
from services.product.config import ProductSettings
from services.user.config import UserSettings

SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "user": UserSettings,
    "product": ProductSettings,
    "order": OrderSettings,
    "notification": NotificationSettings,
    "cart": CartSettings,
}
# Names that say a value is a credential; such a variable must name a secret
# of the store (`*_PASSWORD_SECRET`, `*_SECRET_SECRET`) or a file, except the
# ones below.
CREDENTIAL_NAME = re.compile("PASSWORD|SECRET|TOKEN|CREDENTIAL|KEY")
# In the environment by design, and in no store: each app's pair of Dapr API
# tokens is how Dapr gives them to daprd and to the app (DAPR_API_TOKEN,
# APP_API_TOKEN).
BY_DESIGN = frozenset({"DAPR_API_TOKEN", "APP_API_TOKEN"})


def _settings(app: str, monkeypatch: pytest.MonkeyPatch) -> BaseSettings:
    """The app's settings as its process would read them on prod-local."""
    for name, value in app_env(prodlocal.PROFILE, app).items():
        monkeypatch.setenv(name, value)
    return SETTINGS[app]()


def _environments(
    app: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, str]]:
    """The app's and its sidecar's rendered environments (the sidecar's trust
    anchor and Sentry token file stubbed: Sentry's CA may not exist here)."""
    monkeypatch.setattr(trust, "trust_anchors", lambda: "-----CA-----")
    monkeypatch.setattr(trust, "write_sentry_token", lambda a, f: f / f"{a}.jwt")
    return {
        "app": app_env(prodlocal.PROFILE, app),
        "sidecar": sidecar_env(prodlocal.PROFILE, app),
    }


def test_every_app_is_covered() -> None:
    assert set(SETTINGS) == set(APP_NAMES)


def test_the_store_holds_every_servers_password() -> None:
    """What the tests below look for is there to be found."""
    env = app_env(prodlocal.PROFILE, "gateway")
    values = local_secrets.secret_values(Path(env["SHOP_SECRETS_FILE"]))
    assert set(local_secrets.passwords().values()) - {
        local_secrets.passwords()["mysql-root"],  # the apps never log in as root
        local_secrets.passwords()["kafka-admin"],  # the broker's own account
    } <= set(values.values())
    assert values["redis/password"] == local_secrets.passwords()["redis"]
    assert values["smtp-password/smtp-password"]
    for name in local_secrets.GATEWAY_SECRETS:
        assert values[f"{name}/{name}"] == local_secrets.passwords()[name]


@pytest.mark.parametrize("app", APP_NAMES)
def test_no_app_or_sidecar_environment_carries_a_stored_secret(
    app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for who, env in _environments(app, monkeypatch).items():
        stored = local_secrets.secret_values(Path(env["SHOP_SECRETS_FILE"]))
        leaks = [
            (name, secret)
            for name, value in env.items()
            for secret, stored_value in stored.items()
            if stored_value in value
        ]
        assert not leaks, (app, who, leaks)  # names only, never the values


@pytest.mark.parametrize("app", APP_NAMES)
def test_credential_variables_name_a_secret_or_a_file(
    app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for who, env in _environments(app, monkeypatch).items():
        store = json.loads(Path(env["SHOP_SECRETS_FILE"]).read_text())
        odd = [
            name
            for name, value in env.items()
            if CREDENTIAL_NAME.search(name)
            and name not in BY_DESIGN
            and not name.endswith("_FILE")
            and value not in store
        ]
        assert not odd, (app, who, odd)


@pytest.mark.parametrize("app", APP_NAMES)
def test_each_app_may_read_exactly_the_secrets_it_reads(
    app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(app, monkeypatch)
    names = {
        value
        for field, value in settings.model_dump().items()
        if field.endswith("_secret") and value
    }
    if app == "notification":  # it reads its SMTP password only with a login
        assert getattr(settings, "smtp_username", "")
    assert names == set(access.SECRETS[app])
    if names:
        assert "secrets" in access.APIS[app]


@pytest.mark.parametrize(
    ("app", "url", "secret", "account"),
    [
        ("user", "mysql_url", "mysql_password_secret", "mysql"),
        ("order", "mysql_url", "mysql_password_secret", "mysql"),
        ("product", "mongodb_url", "mongodb_password_secret", "mongodb"),
    ],
)
def test_the_store_completes_the_url_into_the_servers_login(
    app: str, url: str, secret: str, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(app, monkeypatch)
    env = app_env(prodlocal.PROFILE, app)
    store = json.loads(Path(env["SHOP_SECRETS_FILE"]).read_text())
    entry = store[getattr(settings, secret)]
    assert entry["password"] == local_secrets.passwords()[account]
    assert with_password(getattr(settings, url), entry["password"]) == entry["url"]


def test_the_gateway_reaches_redis_by_address_and_the_stored_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings("gateway", monkeypatch)
    assert isinstance(settings, GatewaySettings)
    assert settings.redis_url.startswith("rediss://127.0.0.1:")  # no userinfo
    env = app_env(prodlocal.PROFILE, "gateway")
    store = json.loads(Path(env["SHOP_SECRETS_FILE"]).read_text())
    entry = store[settings.redis_password_secret]
    assert entry[settings.redis_password_key] == local_secrets.passwords()["redis"]


def test_the_gateway_reads_strong_auth_secrets_from_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its OIDC client secret and session secret: named in its environment,
    held by the store, per machine, and strong enough for AuthSettings."""
    settings = _settings("gateway", monkeypatch)
    assert isinstance(settings, GatewaySettings)
    env = app_env(prodlocal.PROFILE, "gateway")
    assert "OIDC_CLIENT_SECRET" not in env and "SESSION_SECRET" not in env
    store = json.loads(Path(env["SHOP_SECRETS_FILE"]).read_text())

    class Sidecar:
        def get_secret(self, store_name: str, key: str) -> Any:
            return SimpleNamespace(secret={key: store[key]})

    monkeypatch.setenv("ENVIRONMENT", "prod")  # the strictest checks
    auth = AuthSettings(**stored_auth_secrets(settings, Sidecar()))  # type: ignore[arg-type]
    client_secret = auth.oidc_client_secret.get_secret_value()
    session_secret = auth.session_secret.get_secret_value()
    assert client_secret == local_secrets.passwords()[access.OIDC_CLIENT_SECRET]
    assert session_secret == local_secrets.passwords()[access.SESSION_SECRET]
    assert len(session_secret) >= 32 and session_secret != client_secret


@pytest.mark.parametrize("app", ("user", "order", "product", "gateway"))
def test_full_and_lite_keep_their_plain_local_urls(app: str) -> None:
    for profile in ("full", "lite"):
        env = app_env(profile, app)
        assert not [name for name in env if name.endswith("_SECRET_SECRET")]
        assert not [name for name in env if name.endswith("_PASSWORD_SECRET")]
        assert env["REDIS_URL"].startswith("redis://")
        assert env["OIDC_CLIENT_SECRET"] == DEV_CLIENT_SECRET
