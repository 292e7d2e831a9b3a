"""Money formatting and what is allowed to reach a header."""

from __future__ import annotations

import pytest

from services.notification.domain import (
    Contact,
    InvalidRecipient,
    Money,
    checked_address,
    checked_phone,
    compose_email,
    format_money,
    header_text,
    token_for,
)


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(1299, "USD"), "$12.99"),
        (Money(5, "EUR"), "€0.05"),
        (Money(123456789, "USD"), "$1,234,567.89"),
        (Money(1500, "JPY"), "¥1,500"),
        (Money(1234, "KWD"), "1.234 KWD"),
        (Money(1299, "SEK"), "12.99 SEK"),
        (Money(0, "USD"), "$0.00"),
    ],
)
def test_minor_units_are_formatted_exactly(money: Money, text: str) -> None:
    assert format_money(money) == text


def test_header_text_loses_line_breaks_and_control_characters() -> None:
    assert header_text("Eve\r\nBcc: x@evil") == "Eve Bcc: x@evil"
    assert header_text("A\x00B\tC\u202eD") == "A B C D"
    assert len(header_text("x" * 500)) == 200


@pytest.mark.parametrize(
    "address",
    ["eve@example.com\r\nBcc: x@evil.com", "eve@example.com\n", "nope", "a@b"],
)
def test_addresses_with_breaks_or_no_shape_are_refused(address: str) -> None:
    with pytest.raises(InvalidRecipient):
        checked_address(address)


def test_phone_must_be_e164() -> None:
    assert checked_phone("+4915112345678") == "+4915112345678"
    with pytest.raises(InvalidRecipient):
        checked_phone("+49151\n123")


@pytest.mark.parametrize("event_id", ["../../etc/passwd", "a>\r\nB: c", "", "x/y"])
def test_unsafe_event_ids_become_derived_tokens(event_id: str) -> None:
    token = token_for(event_id)
    assert token == token_for(event_id)  # deterministic
    assert all(c.isalnum() or c == "-" for c in token)


def test_safe_event_ids_are_kept() -> None:
    assert token_for("0f4c7a1e-9b1d-4c53-9d8e-2c8f0c3b6a11") == (
        "0f4c7a1e-9b1d-4c53-9d8e-2c8f0c3b6a11"
    )


def test_composed_email_has_safe_headers_and_a_message_id_from_the_event() -> None:
    contact = Contact("u", "eve@example.com", "Eve\r\nBcc: x@evil", "", True, False)
    email = compose_email("ev-1", contact, "Hi\r\nX: y", "text", "<p>html</p>", "d.x")
    assert email.to_name == "Eve Bcc: x@evil"
    assert email.subject == "Hi X: y"
    assert email.message_id == "<ev-1.email@d.x>"
