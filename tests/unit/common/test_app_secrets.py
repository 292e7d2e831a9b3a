"""A database password read from the secret store through the sidecar."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
import pytest

from common import app_secrets
from common.mysql import Database


@dataclass
class Response:
    secret: dict[str, str]


class Refused(Exception):
    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__(code.name)
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code


@dataclass
class Sidecar:
    """Answers `failures` errors before it serves `store`."""

    store: dict[str, dict[str, str]]
    failures: list[Exception] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def get_secret(self, store_name: str, key: str) -> Response:
        self.asked.append((store_name, key))
        if self.failures:
            raise self.failures.pop(0)
        return Response(self.store[key])


MYSQL = {"mysql": {"username": "daprshop", "password": "p@ss:/w?rd"}}


def test_a_url_without_a_secret_name_is_used_as_it_is() -> None:
    sidecar = Sidecar(MYSQL)
    url = "mysql://root@127.0.0.1:13306/?ssl=disabled"
    assert app_secrets.database_url(sidecar, "secrets", url, "") == url
    assert sidecar.asked == []


def test_the_password_from_the_store_reaches_the_connection() -> None:
    sidecar = Sidecar(MYSQL)
    url = app_secrets.database_url(
        sidecar, "secrets", "mysql://daprshop@127.0.0.1:13306/?ssl=disabled", "mysql"
    )
    assert sidecar.asked == [("secrets", "mysql")]
    params = Database(url, "shop_users")._params
    assert params["user"] == "daprshop"
    assert params["password"] == "p@ss:/w?rd"
    assert params["host"] == "127.0.0.1" and params["port"] == 13306
    assert params["ssl_disabled"] is True


def test_a_mongodb_url_keeps_its_hosts_and_options() -> None:
    url = "mongodb://daprshop@h1:1,h2:2/?authSource=admin&authMechanism=SCRAM-SHA-256"
    assert app_secrets.with_password(url, "a b") == (
        "mongodb://daprshop:a%20b@h1:1,h2:2/?authSource=admin&authMechanism=SCRAM-SHA-256"
    )


def test_a_password_already_in_the_url_is_replaced() -> None:
    url = app_secrets.with_password("mysql://u:old@h:1/", "new")
    assert url == "mysql://u:new@h:1/"


def test_a_url_naming_no_user_is_refused() -> None:
    with pytest.raises(ValueError, match="names no user"):
        app_secrets.with_password("mongodb://127.0.0.1:17017/", "pw")


def test_a_starting_sidecar_is_asked_again() -> None:
    sidecar = Sidecar(
        MYSQL, [ConnectionError("refused"), Refused(grpc.StatusCode.UNAVAILABLE)]
    )
    value = app_secrets.read_secret(sidecar, "secrets", "mysql", "password", pause=0)
    assert value == "p@ss:/w?rd"
    assert len(sidecar.asked) == 3


def test_a_sidecar_that_never_answers_gives_up_after_the_timeout() -> None:
    sidecar = Sidecar(MYSQL, [ConnectionError("refused")] * 1000)
    with pytest.raises(app_secrets.SecretUnavailable, match="refused"):
        app_secrets.read_secret(
            sidecar, "secrets", "mysql", "password", timeout=0.05, pause=0.01
        )


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND]
)
def test_a_refusal_is_not_waited_out(code: grpc.StatusCode) -> None:
    sidecar = Sidecar(MYSQL, [Refused(code)] * 5)
    with pytest.raises(app_secrets.SecretUnavailable, match=code.name):
        app_secrets.read_secret(sidecar, "secrets", "mysql", "password", pause=0)
    assert len(sidecar.asked) == 1


def test_a_secret_without_the_key_is_an_error() -> None:
    sidecar = Sidecar({"mysql": {"username": "daprshop"}})
    with pytest.raises(app_secrets.SecretUnavailable, match="no 'password'"):
        app_secrets.read_secret(sidecar, "secrets", "mysql", "password")
