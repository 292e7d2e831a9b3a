"""Templates, MIME messages, SMTP error handling, the SMS binding, the secret."""

from __future__ import annotations

import asyncio
import json
from email import message_from_bytes, policy
from typing import Any

import aiosmtplib
import pytest

from services.notification import adapters
from services.notification.adapters import (
    DaprSms,
    SecretPassword,
    SmtpMailer,
    TemplateRenderer,
    build_message,
    sender_address,
)
from services.notification.domain import (
    Contact,
    Email,
    InvalidRecipient,
    LineItem,
    Money,
    PermanentDeliveryError,
    RenderError,
    Sms,
    compose_email,
)
from tests.unit.notification.fakes import FakeDapr

SENDER = sender_address("Daprshop <no-reply@daprshop.local>")


def email_for(name: str) -> Email:
    contact = Contact("u", "eve@example.com", name, "", True, False)
    return compose_email("ev-1", contact, "Welcome", "hello", "<p>hello</p>", "x.y")


def parsed(email: Email) -> Any:
    raw = build_message(email, SENDER).as_bytes()
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


def test_html_is_autoescaped_and_text_is_not() -> None:
    rendered = TemplateRenderer().email(
        "welcome", {"name": "<script>x</script>", "shop": "Daprshop"}
    )
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>x</script>" in rendered.text


def test_confirmation_shows_order_items_and_formatted_total() -> None:
    rendered = TemplateRenderer().email(
        "order_confirmation",
        {
            "name": "Eve",
            "shop": "Daprshop",
            "order_id": "o-42",
            "items": (LineItem("Mug", 3, Money(1299, "USD")),),
            "total": Money(3897, "USD"),
        },
    )
    for part in (rendered.text, rendered.html):
        assert "o-42" in part
        assert "Mug" in part
        assert "$12.99" in part
        assert "$38.97" in part


def test_missing_template_variables_are_errors_not_blanks() -> None:
    with pytest.raises(RenderError):
        TemplateRenderer().email("order_confirmation", {"name": "Eve"})
    with pytest.raises(RenderError):
        TemplateRenderer().sms("no_such_template", {})


def test_sms_goes_to_the_binding_with_a_per_event_file_name() -> None:
    dapr = FakeDapr()
    DaprSms(dapr, "sms").send(Sms("ev-1", "+4915112345678", "Hello"))  # type: ignore[arg-type]
    [call] = dapr.bindings
    assert call["name"] == "sms" and call["operation"] == "create"
    assert json.loads(call["data"]) == {"to": "+4915112345678", "body": "Hello"}
    assert call["metadata"] == {"toNumber": "+4915112345678", "fileName": "ev-1.json"}


def test_sms_text_format_sends_the_body_alone() -> None:
    dapr = FakeDapr()
    DaprSms(dapr, "sms", "text").send(Sms("ev-1", "+4915112345678", "Hello"))  # type: ignore[arg-type]
    assert dapr.bindings[0]["data"] == "Hello"


def test_smtp_password_is_read_once_from_the_secret_store() -> None:
    dapr = FakeDapr({"smtp-password": "s3cret"})
    password = SecretPassword(dapr, "secrets", "smtp-password")  # type: ignore[arg-type]
    assert password() == "s3cret" and password() == "s3cret"
    assert dapr.secret_reads == 1
    password.forget()
    assert password() == "s3cret"
    assert dapr.secret_reads == 2


def test_an_empty_secret_is_an_error() -> None:
    password = SecretPassword(FakeDapr(), "secrets", "smtp-password")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        password()


class FakeSmtp:
    def __init__(self, failure: Exception | None = None) -> None:
        self.failure = failure
        self.calls: list[dict[str, Any]] = []

    async def send(self, message: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        self.calls.append({"message": message, **kwargs})
        if self.failure:
            raise self.failure
        return {}, "OK"


def mailer(**kwargs: Any) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", 2525, SENDER, **kwargs)


def test_mailer_sends_with_credentials_tls_mode_and_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp = FakeSmtp()
    monkeypatch.setattr(adapters.aiosmtplib, "send", smtp.send)
    mailer(tls="starttls", username="shop", password=lambda: "pw", timeout=3.0).send(
        email_for("Eve")
    )
    [call] = smtp.calls
    assert call["hostname"] == "127.0.0.1" and call["port"] == 2525
    assert call["start_tls"] is True and call["use_tls"] is False
    assert call["username"] == "shop" and call["password"] == "pw"
    assert call["timeout"] == 3.0
    assert call["message"]["Message-ID"] == "<ev-1.email@x.y>"


def test_without_username_no_credentials_are_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp = FakeSmtp()
    monkeypatch.setattr(adapters.aiosmtplib, "send", smtp.send)
    mailer().send(email_for("Eve"))
    assert smtp.calls[0]["username"] is None and smtp.calls[0]["password"] is None
    assert smtp.calls[0]["start_tls"] is False


def test_5xx_refusals_are_permanent_4xx_and_outages_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        adapters.aiosmtplib,
        "send",
        FakeSmtp(aiosmtplib.SMTPRecipientRefused(550, "no such user", "x")).send,
    )
    with pytest.raises(PermanentDeliveryError):
        mailer().send(email_for("Eve"))
    monkeypatch.setattr(
        adapters.aiosmtplib,
        "send",
        FakeSmtp(aiosmtplib.SMTPResponseException(451, "try later")).send,
    )
    with pytest.raises(aiosmtplib.SMTPResponseException):
        mailer().send(email_for("Eve"))
    monkeypatch.setattr(
        adapters.aiosmtplib, "send", FakeSmtp(aiosmtplib.SMTPConnectError("no")).send
    )
    with pytest.raises(ConnectionError):
        mailer().send(email_for("Eve"))


def test_an_auth_failure_forgets_the_cached_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dapr = FakeDapr({"smtp-password": "old"})
    password = SecretPassword(dapr, "secrets", "smtp-password")  # type: ignore[arg-type]
    monkeypatch.setattr(
        adapters.aiosmtplib,
        "send",
        FakeSmtp(aiosmtplib.SMTPAuthenticationError(535, "bad")).send,
    )
    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        mailer(username="shop", password=password).send(email_for("Eve"))
    dapr.secrets["smtp-password"] = "rotated"
    assert password() == "rotated"


def test_a_hanging_server_is_cut_off_by_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def hang(message: Any, **kwargs: Any) -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(adapters.aiosmtplib, "send", hang)
    with pytest.raises(TimeoutError):
        mailer(timeout=0.05).send(email_for("Eve"))


def test_bad_mail_from_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        sender_address("nobody")
