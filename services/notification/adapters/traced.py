"""The ports, traced and counted: rendering, the SMTP send and the SMS call
each become a span of the event's trace (common.tracing); messages handed on
are counted (common.metrics). Wrappers, so the use cases stay free of both."""

from __future__ import annotations

from collections.abc import Mapping

from common import metrics, tracing
from services.notification.domain import Email, Sms
from services.notification.service import Mailer, Rendered, Renderer, SmsSender


class TracedRenderer:
    def __init__(self, inner: Renderer) -> None:
        self._inner = inner

    def email(self, template: str, context: Mapping[str, object]) -> Rendered:
        with tracing.span(f"render {template} email", template=template):
            return self._inner.email(template, context)

    def sms(self, template: str, context: Mapping[str, object]) -> str:
        with tracing.span(f"render {template} sms", template=template):
            return self._inner.sms(template, context)


class TracedMailer:
    def __init__(self, inner: Mailer) -> None:
        self._inner = inner

    def send(self, email: Email) -> None:
        with tracing.span("smtp send", "CLIENT", "smtp"):
            self._inner.send(email)
        metrics.EMAILS_SENT.inc()


class TracedSms:
    def __init__(self, inner: SmsSender) -> None:
        self._inner = inner

    def send(self, sms: Sms) -> None:
        with tracing.span("sms send", "CLIENT", "sms-binding"):
            self._inner.send(sms)
        metrics.SMS_SENT.inc()
