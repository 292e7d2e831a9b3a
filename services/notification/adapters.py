"""Templates (jinja2), email (aiosmtplib), SMS (Dapr output binding), SMTP secret.

Sending is async (aiosmtplib) but Dapr delivers events on the SDK's worker
threads, so each send runs in its own short-lived event loop (`asyncio.run`)
on the worker thread that handles the event. Nothing is shared between threads
(an aiosmtplib connection belongs to one loop), there is no loop thread to
start or stop with the process, and `aiosmtplib.send` opens one connection per
message anyway; a new loop per message costs far less than the SMTP exchange.
The whole exchange is bounded by `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Literal

import aiosmtplib
import jinja2
from dapr.clients import DaprClient

from services.notification.domain import (
    Email,
    InvalidRecipient,
    PermanentDeliveryError,
    RenderError,
    Sms,
    format_money,
)
from services.notification.service import Rendered

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"

TlsMode = Literal["none", "starttls", "tls"]


class TemplateRenderer:
    """jinja2 with HTML autoescaping and StrictUndefined (a typo is an error)."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._env.filters["money"] = format_money

    def _render(self, name: str, context: Mapping[str, object]) -> str:
        try:
            return self._env.get_template(name).render(**context)
        except jinja2.TemplateError as err:
            raise RenderError(f"{name}: {err}") from err

    def email(self, template: str, context: Mapping[str, object]) -> Rendered:
        return Rendered(
            text=self._render(f"{template}.txt", context),
            html=self._render(f"{template}.html", context),
        )

    def sms(self, template: str, context: Mapping[str, object]) -> str:
        return self._render(f"{template}.sms.txt", context).strip()


def sender_address(mail_from: str) -> Address:
    """ "Shop <no-reply@shop.example>" -> Address; refuses anything odd."""
    name, addr = parseaddr(mail_from)
    if not addr or "@" not in addr:
        raise ValueError(f"MAIL_FROM is not an address: {mail_from!r}")
    return Address(display_name=name, addr_spec=addr)


def build_message(email: Email, sender: Address) -> EmailMessage:
    """The MIME message: text part, HTML alternative, headers via headerregistry.

    `Address` and the default policy refuse CR/LF in header values, so even a
    name that slipped past the domain's cleaning cannot add a header.
    """
    try:
        recipient = Address(display_name=email.to_name, addr_spec=email.to_address)
        message = EmailMessage()
        message["From"] = sender
        message["To"] = recipient
        message["Subject"] = email.subject
        message["Message-ID"] = email.message_id
        message["Date"] = format_datetime(datetime.now(UTC))
    except (ValueError, HeaderParseError) as err:
        raise InvalidRecipient(f"refused header value: {err}") from err
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class SecretPassword:
    """The SMTP password, read from the Dapr secret store on first use.

    Read lazily (the sidecar may not be up when the app starts) and cached;
    forgotten after an authentication failure so a rotated secret is re-read.
    """

    def __init__(self, client: DaprClient, store: str, key: str) -> None:
        self._client = client
        self._store = store
        self._key = key
        self._value: str | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._value is None:
                secret = self._client.get_secret(self._store, self._key).secret
                value = secret.get(self._key, "")
                if not value:
                    raise RuntimeError(
                        f"secret {self._key!r} is empty in secret store {self._store!r}"
                    )
                self._value = value
            return self._value

    def forget(self) -> None:
        with self._lock:
            self._value = None


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: Address,
        tls: TlsMode = "none",
        username: str = "",
        password: SecretPassword | Callable[[], str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._tls = tls
        self._username = username
        self._password = password
        self._timeout = timeout

    def send(self, email: Email) -> None:
        message = build_message(email, self._sender)
        password: str | None = None
        if self._username:
            if self._password is None:
                raise RuntimeError("SMTP_USERNAME is set but no password source")
            password = self._password()
        try:
            asyncio.run(self._send(message, password))
        except aiosmtplib.SMTPAuthenticationError:
            if isinstance(self._password, SecretPassword):
                self._password.forget()
            raise
        except aiosmtplib.SMTPRecipientsRefused as err:
            codes = [r.code for r in err.recipients]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentDeliveryError(f"recipient refused: {err}") from err
            raise
        except aiosmtplib.SMTPResponseException as err:
            if 500 <= err.code < 600:
                raise PermanentDeliveryError(f"SMTP {err.code}: {err.message}") from err
            raise

    async def _send(self, message: EmailMessage, password: str | None) -> None:
        async with asyncio.timeout(self._timeout):
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                use_tls=self._tls == "tls",
                start_tls=self._tls == "starttls",
                timeout=self._timeout,
                username=self._username or None,
                password=password,
            )

    def reachable(self, timeout: float = 2.0) -> bool:
        """Readiness: can we open a TCP connection to the SMTP server?"""
        with socket.create_connection((self._host, self._port), timeout=timeout):
            return True


class DaprSms:
    """SMS through the Dapr output binding `sms`.

    Metadata carries both what Twilio needs (`toNumber`) and what the local
    file binding needs (`fileName`, deterministic per event, so a repeat would
    overwrite rather than add a file). `data_format="text"` sends the body
    alone, which is what Twilio's binding expects as the message text.
    """

    def __init__(
        self,
        client: DaprClient,
        binding: str,
        data_format: Literal["json", "text"] = "json",
    ) -> None:
        self._client = client
        self._binding = binding
        self._format = data_format

    def send(self, sms: Sms) -> None:
        data = (
            json.dumps({"to": sms.to, "body": sms.body})
            if self._format == "json"
            else sms.body
        )
        self._client.invoke_binding(
            self._binding,
            "create",
            data=data,
            binding_metadata={"toNumber": sms.to, "fileName": f"{sms.token}.json"},
        )
