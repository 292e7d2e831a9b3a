"""The SMTP password from the Dapr secret store."""

from __future__ import annotations

import pytest

from services.notification.adapters.secret_password import SecretPassword
from tests.unit.notification.fakes import FakeDapr


def test_smtp_password_is_read_once_from_the_secret_store() -> None:
    dapr = FakeDapr({"smtp-password": "s3cret"})
    password = SecretPassword(dapr, "secrets", "smtp-password")  # type: ignore[arg-type]
    assert password() == "s3cret" and password() == "s3cret"
    assert dapr.secret_reads == 1
    password.forget()
    assert password() == "s3cret"
    assert dapr.secret_reads == 2


def test_an_empty_secret_is_an_error() -> None:
    password = SecretPassword(FakeDapr(), "secrets", "smtp-password")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        password()


# --- SMTP, against a small real server (smtp_server.py) ---
