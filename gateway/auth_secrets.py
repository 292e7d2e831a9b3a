"""The gateway's OIDC client secret and session secret, from the secret store.

Where OIDC_CLIENT_SECRET_SECRET / SESSION_SECRET_SECRET name them (prod-local,
prod), the gateway asks its own sidecar for those secrets when the app is
built, before its auth settings exist (`common.app_secrets.read_secret`: the
secrets API with its Dapr API token, retried while the sidecar starts). Each
is a one-value secret, its key its own name. The values are given to
`AuthSettings` as init values, so they win over OIDC_CLIENT_SECRET /
SESSION_SECRET and its refusal of weak secrets runs on them as on any value.

A value read from the store is also refused in every environment when it is a
default or, for the session secret, shorter than 32 characters: prod-local
runs with ENVIRONMENT=dev, where AuthSettings lets defaults pass, and a store
holding one is a mistake there too. Without the names (full, lite) nothing is
asked of the sidecar and AuthSettings reads the environment alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from common import app_secrets, sidecar
from gateway.auth.settings import (
    AuthSettings,
    weak_client_secret,
    weak_session_secret,
)
from gateway.config import GatewaySettings


class WeakStoredSecret(ValueError):
    """The store holds a default or too short a value for a gateway secret."""


def _named(settings: GatewaySettings) -> list[tuple[str, str, Callable[[str], bool]]]:
    """(AuthSettings field, secret name, weakness test) of each secret named."""
    wanted = (
        ("oidc_client_secret", settings.oidc_client_secret_secret, weak_client_secret),
        ("session_secret", settings.session_secret_secret, weak_session_secret),
    )
    return [(field, name, weak) for field, name, weak in wanted if name]


def stored_auth_secrets(
    settings: GatewaySettings, reader: app_secrets.SecretReader
) -> dict[str, SecretStr]:
    """AuthSettings field -> value read from the store, for each secret named."""
    values: dict[str, SecretStr] = {}
    for field, name, weak in _named(settings):
        value = app_secrets.read_secret(reader, settings.secret_store, name, name)
        if weak(value):
            raise WeakStoredSecret(
                f"secret {name!r} of store {settings.secret_store!r} is a "
                f"default or too short for {field}"
            )
        values[field] = SecretStr(value)
    return values


def load_auth_settings(settings: GatewaySettings) -> AuthSettings:
    """The gateway's auth settings: the environment's, with the secrets the
    store holds where `settings` names them (read through our sidecar)."""
    if not _named(settings):
        return AuthSettings()
    with sidecar.make_client(settings) as dapr:
        values: dict[str, Any] = dict(stored_auth_secrets(settings, dapr))
    return AuthSettings(**values)
