"""An app's own secrets, kept in the Dapr secret store, read through its sidecar.

Where a server has credentials (prod-local, prod), the app's environment holds
the server's address without the password, and the name of the secret that
holds it: `MYSQL_PASSWORD_SECRET`, `MONGODB_PASSWORD_SECRET` (user, order,
product), `REDIS_PASSWORD_SECRET` (the gateway). At start the app asks its own
sidecar for that secret (`read_secret`: the secrets API, with its Dapr API
token; the store's `allowedSecrets` for the app say which) and connects with
the password, so no password is ever in a process's environment. Without a
secret name (full, lite: local servers with no password) the address is used
as it is.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol
from urllib.parse import quote, urlsplit, urlunsplit

import grpc

log = logging.getLogger(__name__)


class SecretResponse(Protocol):
    @property
    def secret(self) -> dict[str, str]: ...


class SecretReader(Protocol):
    """What we need of the Dapr client (`DaprClient.get_secret`)."""

    def get_secret(self, store_name: str, key: str) -> SecretResponse: ...


class SecretUnavailable(RuntimeError):
    pass


def with_password(url: str, password: str) -> str:
    """`url` with `password` (percent-encoded) after its user name. The URL
    must name the user; hosts may be a list (`h1:1,h2:2`, MongoDB)."""
    parts = urlsplit(url)
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if not at or not userinfo:
        raise ValueError("the database URL names no user to log in as")
    user = userinfo.partition(":")[0]
    netloc = f"{user}:{quote(password, safe='')}@{hosts}"
    return urlunsplit(parts._replace(netloc=netloc))


def _refused(err: Exception) -> bool:
    """The sidecar answered and said no (not allowed, no such secret): waiting
    would not help."""
    code = getattr(err, "code", None)
    if not callable(code):
        return False
    return code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)


def read_secret(
    client: SecretReader,
    store: str,
    name: str,
    key: str,
    timeout: float = 60.0,
    pause: float = 1.0,
) -> str:
    """Key `key` of secret `name`, asked of the sidecar until it answers (it
    may still be starting) or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            values = client.get_secret(store, name).secret
            break
        except Exception as err:
            if _refused(err) or time.monotonic() > deadline:
                raise SecretUnavailable(
                    f"secret {name!r} of store {store!r}: {err}"
                ) from err
            log.info("waiting for secret %r of store %r: %s", name, store, err)
            time.sleep(pause)
    value = values.get(key, "")
    if not value:
        raise SecretUnavailable(f"secret {name!r} of store {store!r} has no {key!r}")
    return value


def database_url(
    client: SecretReader, store: str, url: str, secret: str, key: str = "password"
) -> str:
    """The URL to connect with: `url` itself when `secret` is empty, else
    `url` with the password read from the secret store."""
    if not secret:
        return url
    return with_password(url, read_secret(client, store, secret, key))
