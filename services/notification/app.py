"""Composition root of the notification service.

`build` wires settings, adapters, the use cases and their entry point (the
subscriptions; this service has no gRPC API); `main` starts the mailer's event
loop and serves beside the sidecar until SIGTERM.
"""

from __future__ import annotations

from common import runtime, sidecar
from common.subscriptions import Once
from services.notification import subscriptions
from services.notification.adapters.mailer import SmtpMailer
from services.notification.adapters.mime import sender_address
from services.notification.adapters.secret_password import SecretPassword
from services.notification.adapters.sms import DaprSms
from services.notification.adapters.templates import TemplateRenderer
from services.notification.adapters.traced import (
    TracedMailer,
    TracedRenderer,
    TracedSms,
)
from services.notification.config import NotificationSettings
from services.notification.service import NotificationService


def build(settings: NotificationSettings) -> runtime.Assembly:
    dapr = sidecar.make_client(settings)
    password = (
        SecretPassword(dapr, settings.secret_store, settings.smtp_password_secret)
        if settings.smtp_username
        else None
    )
    mailer = SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        sender_address(settings.mail_from),
        tls=settings.smtp_tls,
        username=settings.smtp_username,
        password=password,
        timeout=settings.smtp_timeout,
        connections=settings.smtp_connections,
        idle_seconds=settings.smtp_idle_seconds,
        messages_per_connection=settings.smtp_messages_per_connection,
    )
    ledger = sidecar.EventLedger(
        dapr, settings.idempotency_store, ttl_seconds=settings.sent_ttl_seconds
    )
    service = NotificationService(
        TracedRenderer(TemplateRenderer()),
        TracedMailer(mailer),
        TracedSms(DaprSms(dapr, settings.sms_binding, settings.sms_data)),
        Once(ledger, lease_seconds=settings.send_lease_seconds),
        message_id_domain=settings.message_id_domain,
    )

    app = runtime.new_app(settings)
    subscriptions.register(
        app,
        settings.pubsub_name,
        subscriptions.NotificationHandlers(service),
        notes=ledger,
    )
    return runtime.Assembly(
        app,
        checks={"smtp": mailer.reachable},
        start=(mailer.start,),
        stop=(mailer.close, dapr.close),
    )


def main() -> None:
    runtime.run(NotificationSettings(), build)
