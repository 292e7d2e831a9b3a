"""Typed settings of the notification service."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from common import components
from common.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    app_id: str = "notification"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 11025
    # none: plain SMTP (the local catcher); starttls: upgrade on 587; tls: 465.
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    # When set, the password is read from the Dapr secret store, never from env.
    smtp_username: str = ""
    smtp_password_secret: str = "smtp-password"
    # Bound on one whole SMTP exchange, in seconds.
    smtp_timeout: float = 10.0
    # Connections are kept open and reused: at most this many at once (Dapr
    # delivers each topic's events one at a time), replaced when idle longer
    # than SMTP_IDLE_SECONDS, retired after SMTP_MESSAGES_PER_CONNECTION.
    smtp_connections: int = Field(default=2, ge=1)
    smtp_idle_seconds: float = Field(default=30.0, gt=0)
    smtp_messages_per_connection: int = Field(default=100, ge=1)
    mail_from: str = "Daprshop <no-reply@daprshop.local>"
    message_id_domain: str = "daprshop.local"
    sms_binding: str = components.SMS
    # json: {"to", "body"} (the local file binding, read by tests);
    # text: the body alone (what Twilio's binding sends as the message).
    sms_data: Literal["json", "text"] = "json"
    # A send holds a lease this long; it must outlive the slowest send and the
    # longest pause of a worker (GC, SIGSTOP, a hung host) we accept without a
    # second email: a redelivery while the lease lives is retried later, one
    # after it expires sends again. The fault tier freezes the app for 30 s
    # (F11): with a 30 s lease that sent one email twice. A killed worker's
    # messages wait this long before another takes them.
    send_lease_seconds: int = 90
    # How long a sent message is remembered (redeliveries within it are dropped).
    sent_ttl_seconds: int = 7 * 86400

    @model_validator(mode="after")
    def _sane(self) -> NotificationSettings:
        if self.send_lease_seconds <= self.smtp_timeout:
            raise ValueError("SEND_LEASE_SECONDS must exceed SMTP_TIMEOUT")
        if self.environment == "prod" and self.smtp_tls == "none":
            raise ValueError("SMTP_TLS must be starttls or tls in prod")
        return self
