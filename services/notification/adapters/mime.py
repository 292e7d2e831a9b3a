"""The MIME message an `Email` becomes, and the sender address it goes out from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr

from services.notification.domain import Email, InvalidRecipient, has_control_chars

UTF8 = "utf-8"
SMTP_POLICY = compat32.clone(linesep="\r\n")


def sender_address(mail_from: str) -> Address:
    """ "Shop <no-reply@shop.example>" -> Address; refuses anything odd."""
    name, addr = parseaddr(mail_from)
    if not addr or "@" not in addr:
        raise ValueError(f"MAIL_FROM is not an address: {mail_from!r}")
    return Address(display_name=name, addr_spec=addr)


@dataclass(frozen=True)
class OutgoingMail:
    """What goes over SMTP: the envelope and the message, flattened once."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes


def build_message(
    email: Email, sender: Address, trace_id: str | None = None
) -> OutgoingMail:
    """The MIME message: text part and HTML alternative, as bytes.

    Built with the stdlib's MIME classes (the compat32 policy): about a third
    of what `EmailMessage` and its header registry cost per message, which
    was most of the notification service's CPU per email. Header values are
    checked here instead: any CR, LF or other control character is refused,
    so even a name that slipped past the domain's cleaning cannot add a
    header; non-ASCII names and subjects become RFC 2047 encoded words.
    Addresses must be ASCII: one that is not would need SMTPUTF8 (RFC 6531),
    which we do not speak, so it is refused as a bad recipient (a permanent
    error: the event is not redelivered for it). `trace_id` becomes an
    `X-Trace-Id` header: the trace that led to this message, in the trace store.
    """
    for value in (email.to_name, email.to_address, email.subject, email.message_id):
        if has_control_chars(value):
            raise InvalidRecipient(f"refused header value: {value!r}")
    if not email.to_address.isascii():
        raise InvalidRecipient(
            f"{email.to_address!r} is not ASCII (SMTPUTF8 is not supported)"
        )
    message = MIMEMultipart("alternative")
    message["From"] = formataddr((sender.display_name, sender.addr_spec), UTF8)
    message["To"] = formataddr((email.to_name, email.to_address), UTF8)
    message["Subject"] = Header(email.subject, _charset_for(email.subject)).encode()
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    if trace_id and trace_id.isalnum() and trace_id.isascii():
        message["X-Trace-Id"] = trace_id
    message.attach(MIMEText(email.text, "plain", UTF8))
    message.attach(MIMEText(email.html, "html", UTF8))
    return OutgoingMail(
        sender.addr_spec, (email.to_address,), message.as_bytes(policy=SMTP_POLICY)
    )


def _charset_for(text: str) -> str:
    return "us-ascii" if text.isascii() else UTF8
