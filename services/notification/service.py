"""Use cases of the notification service: tell a user, once per event and channel.

Ports: a template renderer, a mailer, an SMS sender and `Once` (the ledger that
makes each (channel, event id) side effect happen at most once; see
common.subscriptions.Once). Each channel is attempted even when the
other fails, so an SMTP outage does not hold back SMS; the first failure is
raised afterwards (a passing one before a permanent one), and a redelivery only
repeats the channel that did not go out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from services.notification.domain import (
    STATUS_WORDS,
    Contact,
    DomainError,
    Email,
    InvalidNotification,
    OrderConfirmation,
    OrderStatusUpdate,
    Sms,
    Welcome,
    compose_email,
    compose_sms,
)

log = logging.getLogger(__name__)

SHOP = "Daprshop"


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str


class Renderer(Protocol):
    def email(self, template: str, context: Mapping[str, object]) -> Rendered:
        """`<template>.txt` and `<template>.html`; raises RenderError."""
        ...

    def sms(self, template: str, context: Mapping[str, object]) -> str:
        """`<template>.sms.txt`; raises RenderError."""
        ...


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


class SmsSender(Protocol):
    def send(self, sms: Sms) -> None: ...


class OncePerKey(Protocol):
    def run(self, key: str, action: Callable[[], None]) -> bool:
        """True if `action` ran now, False if it had already run for `key`."""
        ...


class NotificationService:
    def __init__(
        self,
        renderer: Renderer,
        mailer: Mailer,
        sms: SmsSender,
        once: OncePerKey,
        message_id_domain: str = "daprshop.local",
    ) -> None:
        self._renderer = renderer
        self._mailer = mailer
        self._sms = sms
        self._once = once
        self._domain = message_id_domain

    def welcome(self, event: Welcome) -> list[str]:
        return self._notify(
            event.event_id,
            event.contact,
            "welcome",
            f"Welcome to {SHOP}",
            {"name": event.contact.name, "shop": SHOP},
        )

    def order_confirmation(self, event: OrderConfirmation) -> list[str]:
        if not event.order_id:
            raise InvalidNotification("order_id is missing")
        return self._notify(
            event.event_id,
            event.contact,
            "order_confirmation",
            f"We received your order {event.order_id}",
            {
                "name": event.contact.name,
                "shop": SHOP,
                "order_id": event.order_id,
                "items": event.items,
                "total": event.total,
            },
        )

    def order_status(self, event: OrderStatusUpdate) -> list[str]:
        if not event.order_id:
            raise InvalidNotification("order_id is missing")
        if event.status not in STATUS_WORDS:
            raise InvalidNotification(f"no message for status {event.status!r}")
        return self._notify(
            event.event_id,
            event.contact,
            "order_status_changed",
            f"Your order {event.order_id} is {event.status_word}",
            {
                "name": event.contact.name,
                "shop": SHOP,
                "order_id": event.order_id,
                "status": event.status,
                "status_word": event.status_word,
            },
        )

    def _notify(
        self,
        event_id: str,
        contact: Contact,
        template: str,
        subject: str,
        context: Mapping[str, object],
    ) -> list[str]:
        """Send on every channel the contact allows; the channels sent now."""
        sent: list[str] = []
        failures: list[Exception] = []
        if contact.wants_email:
            self._attempt(
                "email",
                event_id,
                lambda: self._email(event_id, contact, template, subject, context),
                sent,
                failures,
            )
        if contact.wants_sms:
            self._attempt(
                "sms",
                event_id,
                lambda: self._text(event_id, contact, template, context),
                sent,
                failures,
            )
        if failures:
            passing = [f for f in failures if not isinstance(f, DomainError)]
            raise (passing or failures)[0]
        return sent

    def _attempt(
        self,
        channel: str,
        event_id: str,
        prepare: Callable[[], Callable[[], None]],
        sent: list[str],
        failures: list[Exception],
    ) -> None:
        try:
            # Rendering and checking happen before the claim: a bad template or
            # address is refused without leaving a lease behind.
            send = prepare()
            if self._once.run(f"{channel}:{event_id}", send):
                sent.append(channel)
            else:
                log.info("%s for event %s was already sent", channel, event_id)
        except Exception as err:
            failures.append(err)

    def _email(
        self,
        event_id: str,
        contact: Contact,
        template: str,
        subject: str,
        context: Mapping[str, object],
    ) -> Callable[[], None]:
        rendered = self._renderer.email(template, context)
        email = compose_email(
            event_id, contact, subject, rendered.text, rendered.html, self._domain
        )
        return lambda: self._mailer.send(email)

    def _text(
        self,
        event_id: str,
        contact: Contact,
        template: str,
        context: Mapping[str, object],
    ) -> Callable[[], None]:
        body = self._renderer.sms(template, context)
        sms = compose_sms(event_id, contact, body)
        return lambda: self._sms.send(sms)
