"""prod-local: the apps get the names of their database secrets, never the
passwords, and each may read exactly the secrets it needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from common.db_password import with_password
from devmesh import access, local_secrets
from devmesh.launcher import prodlocal
from devmesh.launcher.env import app_env
from devmesh.ports import APP_NAMES
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
DATABASE_ACCOUNTS = ("mysql", "mysql-root", "mongodb")


def _settings(app: str, monkeypatch: pytest.MonkeyPatch) -> BaseSettings:
    """The app's settings as its process would read them on prod-local."""
    for name, value in app_env(prodlocal.PROFILE, app).items():
        monkeypatch.setenv(name, value)
    return SETTINGS[app]()


def test_every_app_is_covered() -> None:
    assert set(SETTINGS) == set(APP_NAMES)


@pytest.mark.parametrize("app", APP_NAMES)
def test_no_app_environment_carries_a_database_password(app: str) -> None:
    env = app_env(prodlocal.PROFILE, app)
    passwords = local_secrets.passwords()
    for account in DATABASE_ACCOUNTS:
        leaks = [k for k, v in env.items() if passwords[account] in v]
        assert not leaks, (app, account, leaks)


@pytest.mark.parametrize("app", APP_NAMES)
def test_each_app_may_read_exactly_the_secrets_it_reads(
    app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(app, monkeypatch)
    names = {
        value
        for field, value in settings.model_dump().items()
        if field.endswith("_password_secret") and value
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


@pytest.mark.parametrize("app", ("user", "order", "product"))
def test_full_and_lite_keep_their_plain_local_urls(app: str) -> None:
    for profile in ("full", "lite"):
        env = app_env(profile, app)
        assert "MYSQL_PASSWORD_SECRET" not in env
        assert "MONGODB_PASSWORD_SECRET" not in env
