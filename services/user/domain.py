"""Users: profile, notification preferences, and the rules their fields follow."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from common import domain
from common.domain import DomainError
from common.domain import ValidationError as ValidationError
from common.domain import now as now

MAX_NAME = 200
MAX_SUBJECT = 255
MAX_EMAIL = 254
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
# Deliberately loose: one @, no spaces, a dot in the domain. The mail server
# has the last word; this only catches what is plainly not an address.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class NotFound(domain.NotFound):
    def __init__(self, user_id: str) -> None:
        super().__init__("user", user_id)
        self.user_id = user_id


class SubjectTaken(DomainError):
    """A user with this auth subject already exists (a concurrent first login)."""

    reason = "ALREADY_EXISTS"

    def __init__(self, subject: str) -> None:
        super().__init__(f"a user with subject {subject!r} already exists")
        self.subject = subject

    def facts(self) -> dict[str, str]:
        return {"resource": "user", "field": "subject"}


@dataclass(frozen=True)
class User:
    id: str
    subject: str
    email: str
    name: str
    phone: str = ""
    email_notifications: bool = True
    sms_notifications: bool = True
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass(frozen=True)
class UserChanges:
    """An update: only the fields that are not None change. "" clears phone."""

    name: str | None = None
    phone: str | None = None
    email_notifications: bool | None = None
    sms_notifications: bool | None = None


@dataclass(frozen=True)
class Contact:
    """What the notification service needs to reach a user, and whether it may."""

    user_id: str
    email: str
    name: str
    phone: str
    email_enabled: bool
    sms_enabled: bool

    @classmethod
    def of(cls, user: User) -> Contact:
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name,
            phone=user.phone,
            email_enabled=user.email_notifications and bool(user.email),
            sms_enabled=user.sms_notifications and bool(user.phone),
        )


class NoticeKind(enum.Enum):
    CONFIRMATION = "confirmation"  # the order was placed
    STATUS_CHANGED = "status_changed"


@dataclass(frozen=True)
class NoticeLine:
    product_id: str
    product_name: str
    quantity: int
    unit_amount: int
    currency: str


@dataclass(frozen=True)
class OrderNotice:
    """An order event its buyer is to be told about (by the notification service).

    `source_event_id` is the order event's id: a redelivered event gives the
    same notice, which notification recognises and drops.
    """

    kind: NoticeKind
    source_event_id: str
    order_id: str
    buyer_id: str
    status: str  # the order status' name, e.g. "SHIPPED"
    lines: tuple[NoticeLine, ...] = ()
    total_amount: int = 0
    currency: str = ""


def has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


def without_control_chars(value: str) -> str:
    """Control and format characters (CR, LF, NUL, bidi overrides) become spaces."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in value
    )
    return " ".join(cleaned.split())


def require_user_id(user_id: str) -> str:
    """The user a user-scoped call names; none is invalid, never "any user"."""
    if not user_id:
        raise ValidationError("userId", "is required")
    return user_id


def validate_subject(subject: str) -> None:
    if not subject.strip():
        raise ValidationError("subject", "must not be empty")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError("subject", f"at most {MAX_SUBJECT} characters")
    if has_control_chars(subject):
        raise ValidationError("subject", "must not contain control characters")


def validate_email(email: str) -> None:
    if len(email) > MAX_EMAIL:
        raise ValidationError("email", f"at most {MAX_EMAIL} characters")
    if has_control_chars(email) or not EMAIL.match(email):
        raise ValidationError("email", "is not a valid email address")


def validate_name(name: str) -> None:
    if not name.strip():
        raise ValidationError("name", "must not be empty")
    if len(name) > MAX_NAME:
        raise ValidationError("name", f"at most {MAX_NAME} characters")
    if has_control_chars(name):
        raise ValidationError("name", "must not contain control characters")


def validate_phone(phone: str) -> None:
    if phone and not PHONE.match(phone):
        raise ValidationError(
            "phone", "must be in E.164 format (+ and 7 to 15 digits) or empty"
        )


def validate_changes(changes: UserChanges) -> None:
    if changes.name is not None:
        validate_name(changes.name)
    if changes.phone is not None:
        validate_phone(changes.phone)


def name_from_login(name: str, email: str) -> str:
    """The display name a first login provides, made safe; falls back to email."""
    cleaned = without_control_chars(name)[:MAX_NAME].strip()
    if cleaned:
        return cleaned
    return email.split("@", 1)[0][:MAX_NAME] if email else ""
