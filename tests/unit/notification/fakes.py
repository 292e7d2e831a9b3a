"""In-memory stand-ins for the notification service's ports."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from common.sidecar import AlreadyClaimed
from common.subscriptions import Once
from services.notification.adapters.templates import TemplateRenderer
from services.notification.domain import Email, Sms
from services.notification.service import NotificationService


class FakeLedger:
    """First-write claims like the Redis store behind EventLedger (TTL ignored)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.lock = threading.Lock()

    def seen(self, key: str) -> bool:
        return key in self.values

    def claim(self, key: str, value: str = "1", ttl_seconds: int | None = None):
        with self.lock:
            if key in self.values:
                raise AlreadyClaimed(key)
            self.values[key] = value

    def mark(self, key: str, value: str = "done") -> None:
        self.values[key] = value

    def release(self, key: str) -> None:
        self.values.pop(key, None)


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.failure: Exception | None = None

    def send(self, email: Email) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append(email)


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[Sms] = []
        self.failure: Exception | None = None

    def send(self, sms: Sms) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append(sms)


class FakeDapr:
    """The DaprClient calls the adapters make."""

    def __init__(self, secrets: dict[str, str] | None = None) -> None:
        self.bindings: list[dict[str, Any]] = []
        self.secrets = secrets or {}
        self.secret_reads = 0

    def invoke_binding(self, binding_name, operation, data="", binding_metadata=None):
        self.bindings.append(
            {
                "name": binding_name,
                "operation": operation,
                "data": data,
                "metadata": dict(binding_metadata or {}),
            }
        )

    def get_secret(self, store_name: str, key: str) -> Any:
        self.secret_reads += 1

        return SimpleNamespace(secret={key: self.secrets.get(key, "")})


class Mesh:
    """The service wired with fakes and the real templates."""

    def __init__(self) -> None:
        self.ledger = FakeLedger()
        self.mailer = FakeMailer()
        self.sms = FakeSms()
        self.service = NotificationService(
            TemplateRenderer(), self.mailer, self.sms, Once(self.ledger)
        )
