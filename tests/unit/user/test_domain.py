"""Field rules of a user profile."""

from __future__ import annotations

import pytest

from services.user.domain import (
    Contact,
    User,
    ValidationError,
    name_from_login,
    validate_email,
    validate_name,
    validate_phone,
)


@pytest.mark.parametrize("phone", ["+4915112345678", "+12025550123", "+3312345", ""])
def test_e164_numbers_and_empty_are_accepted(phone: str) -> None:
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone", ["015112345678", "+0123456789", "+12 025 550", "+1234", "+1" + "2" * 15]
)
def test_other_phone_numbers_are_refused_naming_the_field(phone: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_phone(phone)
    assert err.value.field == "phone"


@pytest.mark.parametrize(
    "email", ["not-an-address", "a@b", "a b@c.de", "eve@x.com\r\nBcc: y@evil.com"]
)
def test_malformed_emails_are_refused(email: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_email(email)
    assert err.value.field == "email"


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "Eve\r\nBcc: x@evil"])
def test_names_must_be_present_short_and_single_line(name: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_name(name)
    assert err.value.field == "name"


def test_a_login_name_is_cleaned_not_refused() -> None:
    assert name_from_login("Eve\r\nBcc: x@evil", "eve@example.com") == (
        "Eve Bcc: x@evil"
    )
    assert name_from_login("  ", "eve@example.com") == "eve"


def test_contact_allows_only_channels_the_user_has_and_wants() -> None:
    user = User(id="u1", subject="s", email="eve@example.com", name="Eve")
    assert Contact.of(user).email_enabled is True
    assert Contact.of(user).sms_enabled is False  # no phone yet
    with_phone = User(
        id="u1",
        subject="s",
        email="eve@example.com",
        name="Eve",
        phone="+4915112345678",
        email_notifications=False,
    )
    assert Contact.of(with_phone).sms_enabled is True
    assert Contact.of(with_phone).email_enabled is False
