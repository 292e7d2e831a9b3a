"""Notifications: who is told what, through which channel, and what may reach a header.

Everything that ends up in an email header (recipient name and address,
subject, Message-ID) passes through this module first: control characters are
stripped from free text, and addresses or phone numbers containing them are
refused. The SMTP adapter builds headers with `email.headerregistry`, which
refuses CR/LF as a second line of defence.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal

MAX_HEADER_TEXT = 200
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
SAFE_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
TOKEN_NAMESPACE = uuid.UUID("2b0f8a5c-3c1e-5d7a-8f64-9e2a41c7b3d1")

# ISO 4217 minor-unit exponents that are not 2; everything else has cents.
EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

STATUS_WORDS = {
    "PENDING": "received",
    "CONFIRMED": "confirmed",
    "SHIPPED": "shipped",
    "DELIVERED": "delivered",
    "CANCELLED": "cancelled",
}


class DomainError(Exception):
    pass


class InvalidRecipient(DomainError):
    """An address or number that can never be delivered to (or is an attack)."""


class PermanentDeliveryError(DomainError):
    """The provider refused the message for good (e.g. SMTP 5xx)."""


class RenderError(DomainError):
    """A template could not be rendered: a bug, not a passing failure."""


class InvalidNotification(DomainError):
    """The event lacks what a notification needs (e.g. an unknown status)."""


@dataclass(frozen=True)
class Money:
    """Integer minor units and an ISO 4217 code."""

    amount: int
    currency: str

    def __str__(self) -> str:
        return format_money(self)


@dataclass(frozen=True)
class LineItem:
    product_name: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return Money(self.unit_price.amount * self.quantity, self.unit_price.currency)


@dataclass(frozen=True)
class Contact:
    user_id: str
    email: str
    name: str
    phone: str
    email_enabled: bool
    sms_enabled: bool

    @property
    def wants_email(self) -> bool:
        return self.email_enabled and bool(self.email)

    @property
    def wants_sms(self) -> bool:
        return self.sms_enabled and bool(self.phone)


@dataclass(frozen=True)
class Welcome:
    event_id: str
    contact: Contact


@dataclass(frozen=True)
class OrderConfirmation:
    event_id: str
    order_id: str
    contact: Contact
    items: tuple[LineItem, ...]
    total: Money


@dataclass(frozen=True)
class OrderStatusUpdate:
    event_id: str
    order_id: str
    contact: Contact
    status: str

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass(frozen=True)
class Email:
    """A message ready to send; its header fields are already safe."""

    message_id: str
    to_name: str
    to_address: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Sms:
    token: str  # unique per event; names the message for the provider
    to: str
    body: str


def format_money(money: Money) -> str:
    """1299 USD -> "$12.99"; 1299 SEK -> "12.99 SEK"; never through a float."""
    exponent = EXPONENTS.get(money.currency, 2)
    value = Decimal(money.amount).scaleb(-exponent)
    text = f"{value:,.{exponent}f}"
    symbol = SYMBOLS.get(money.currency)
    return f"{symbol}{text}" if symbol else f"{text} {money.currency}"


def header_text(value: str, limit: int = MAX_HEADER_TEXT) -> str:
    """Free text for a header: control/format chars (CR, LF, NUL...) -> space."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in value
    )
    return " ".join(cleaned.split())[:limit]


def has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


def checked_address(address: str) -> str:
    if has_control_chars(address):
        raise InvalidRecipient(f"control characters in email address: {address!r}")
    address = address.strip()
    if len(address) > 254 or not EMAIL.match(address):
        raise InvalidRecipient(f"not a deliverable email address: {address!r}")
    return address


def checked_phone(phone: str) -> str:
    if not PHONE.match(phone):
        raise InvalidRecipient(f"not an E.164 phone number: {phone!r}")
    return phone


def token_for(event_id: str) -> str:
    """A name safe in a Message-ID or a file name, unique per event id.

    Event ids are chosen by publishers; one such as "../../x" or "a>\\r\\nB"
    is replaced by a UUID derived from it (still deterministic).
    """
    if SAFE_TOKEN.match(event_id) and ".." not in event_id:
        return event_id
    return str(uuid.uuid5(TOKEN_NAMESPACE, event_id))


def compose_email(
    event_id: str,
    contact: Contact,
    subject: str,
    text: str,
    html: str,
    domain: str,
) -> Email:
    return Email(
        message_id=f"<{token_for(event_id)}.email@{domain}>",
        to_name=header_text(contact.name),
        to_address=checked_address(contact.email),
        subject=header_text(subject),
        text=text,
        html=html,
    )


def compose_sms(event_id: str, contact: Contact, body: str) -> Sms:
    return Sms(
        token=token_for(event_id),
        to=checked_phone(contact.phone),
        body=" ".join(body.split()),
    )
