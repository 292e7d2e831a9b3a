"""The MIME message: headers that cannot be forged, parts, encodings."""

from __future__ import annotations

from email import message_from_bytes, policy
from typing import Any

import pytest

from services.notification.adapters.mime import build_message, sender_address
from services.notification.domain import (
    Contact,
    Email,
    InvalidRecipient,
    compose_email,
)

SENDER = sender_address("Daprshop <no-reply@daprshop.local>")


def email_for(name: str) -> Email:
    contact = Contact("u", "eve@example.com", name, "", True, False)
    return compose_email("ev-1", contact, "Welcome", "hello", "<p>hello</p>", "x.y")


def parsed(email: Email) -> Any:
    raw = build_message(email, SENDER).data
    return raw, message_from_bytes(raw, policy=policy.default)


def test_a_name_with_crlf_cannot_add_a_header() -> None:
    raw, message = parsed(email_for("Eve\r\nBcc: x@evil"))
    assert message["Bcc"] is None
    assert b"\nBcc:" not in raw and b"\rBcc:" not in raw
    assert message["To"].addresses[0].addr_spec == "eve@example.com"
    assert message["To"].addresses[0].display_name == "Eve Bcc: x@evil"


def test_raw_crlf_that_bypassed_the_domain_is_refused_by_the_builder() -> None:
    sneaky = Email(
        "<id@x>", "Eve\r\nBcc: x@evil", "eve@example.com", "Hi", "t", "<p>h</p>"
    )
    with pytest.raises(InvalidRecipient):
        build_message(sneaky, SENDER)
    sneaky_subject = Email("<id@x>", "Eve", "eve@example.com", "Hi\nBcc: x", "t", "h")
    with pytest.raises(InvalidRecipient):
        build_message(sneaky_subject, SENDER)


def test_message_has_text_and_html_parts_and_the_event_message_id() -> None:
    _, message = parsed(email_for("Eve"))
    assert message["Message-ID"] == "<ev-1.email@x.y>"
    assert message["From"].addresses[0].addr_spec == "no-reply@daprshop.local"
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "hello"
    assert "<p>hello</p>" in message.get_body(("html",)).get_content()


def test_non_ascii_names_subjects_and_bodies_survive_the_trip() -> None:
    contact = Contact("u", "zoe@example.com", "Zoë Ünal", "", True, False)
    email = compose_email(
        "ev-2", contact, "Bestellung für Zoë", "Grüße, Zoë", "<p>Grüße</p>", "x.y"
    )
    _, message = parsed(email)
    assert message["To"].addresses[0].display_name == "Zoë Ünal"
    assert message["Subject"] == "Bestellung für Zoë"
    assert message.get_body(("plain",)).get_content().strip() == "Grüße, Zoë"
    assert build_message(email, SENDER).recipients == ("zoe@example.com",)


def test_bad_mail_from_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        sender_address("nobody")


def test_the_trace_that_led_to_a_message_is_named_in_a_header() -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    traced = build_message(email_for("Eve"), SENDER, trace).data
    message = message_from_bytes(traced, policy=policy.default)
    assert message["X-Trace-Id"] == trace
    untraced = message_from_bytes(build_message(email_for("Eve"), SENDER).data)
    assert untraced["X-Trace-Id"] is None
    forged = build_message(email_for("Eve"), SENDER, "x\r\nBcc: a@evil").data
    assert b"Bcc:" not in forged
