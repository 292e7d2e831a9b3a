"""The gateway's Redis password: read from the secret store through its own
sidecar at start where REDIS_PASSWORD_SECRET names it, none elsewhere."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from common import sidecar
from gateway import backends
from gateway.config import GatewaySettings


@dataclass
class Response:
    secret: dict[str, str]


@dataclass
class Sidecar:
    store: dict[str, dict[str, str]]
    asked: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False

    def get_secret(self, store_name: str, key: str) -> Response:
        self.asked.append((store_name, key))
        return Response(self.store[key])

    def __enter__(self) -> Sidecar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Sidecar:
    client = Sidecar({"redis": {"host": "127.0.0.1:6380", "password": "s3cret"}})

    def make_client(settings: Any) -> Sidecar:
        return client

    monkeypatch.setattr(sidecar, "make_client", make_client)
    return client


def test_no_secret_name_no_password_and_no_sidecar_call(fake: Sidecar) -> None:
    settings = GatewaySettings(redis_url="redis://127.0.0.1:6379/0")
    assert asyncio.run(backends.redis_password(settings)) is None
    assert fake.asked == []


def test_the_named_secret_is_read_through_the_sidecar(fake: Sidecar) -> None:
    settings = GatewaySettings(
        redis_url="rediss://127.0.0.1:6380/0",
        redis_password_secret="redis",
        secret_store="secrets",
    )
    assert asyncio.run(backends.redis_password(settings)) == "s3cret"
    assert fake.asked == [("secrets", "redis")]
    assert fake.closed
