"""Templates (jinja2), email (aiosmtplib), SMS (Dapr output binding), SMTP secret.

Email goes out over long-lived SMTP connections. Dapr delivers events on the
gRPC server's worker threads, while aiosmtplib is async and a connection
belongs to one event loop: so the process keeps one event loop on its own
thread (`LoopThread`, started with the app and stopped at graceful shutdown),
the connections live on it, and a worker thread hands each send to it and
waits for the outcome. Reusing a connection spares a TCP (and TLS) handshake,
the greeting, EHLO and AUTH on every message; opening a loop per message also
cost a thread start per send.

A connection is used by one send at a time (`SmtpPool`, at most `size` open).
One that the server closed is noticed by the loop and replaced; one idle for
longer than `idle_seconds` is replaced rather than trusted (a NAT or firewall
may have dropped it silently), and one that carried `messages_per_connection`
messages is retired (servers cap messages per session). A send that fails
closes its connection and raises, so the event is redelivered by Dapr and
sent on a fresh one; nothing is resent here, because a connection lost after
the message data went out may still have delivered it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any, Literal, TypeVar

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
    has_control_chars,
)
from services.notification.service import Rendered

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"

TlsMode = Literal["none", "starttls", "tls"]
UTF8 = "utf-8"
SMTP_POLICY = compat32.clone(linesep="\r\n")
T = TypeVar("T")


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


@dataclass(frozen=True)
class OutgoingMail:
    """What goes over SMTP: the envelope and the message, flattened once."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes


def build_message(email: Email, sender: Address) -> OutgoingMail:
    """The MIME message: text part and HTML alternative, as bytes.

    Built with the stdlib's MIME classes (the compat32 policy): about a third
    of what `EmailMessage` and its header registry cost per message, which
    was most of the notification service's CPU per email. Header values are
    checked here instead: any CR, LF or other control character is refused,
    so even a name that slipped past the domain's cleaning cannot add a
    header; non-ASCII names and subjects become RFC 2047 encoded words.
    Addresses must be ASCII: one that is not would need SMTPUTF8 (RFC 6531),
    which we do not speak, so it is refused as a bad recipient (a permanent
    error: the event is not redelivered for it).
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
    message.attach(MIMEText(email.text, "plain", UTF8))
    message.attach(MIMEText(email.html, "html", UTF8))
    return OutgoingMail(
        sender.addr_spec, (email.to_address,), message.as_bytes(policy=SMTP_POLICY)
    )


def _charset_for(text: str) -> str:
    return "us-ascii" if text.isascii() else UTF8


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


class LoopThread:
    """One asyncio event loop on a daemon thread, for the life of the process.

    `run` hands a coroutine to the loop from any thread and waits for its
    result; long-lived async clients (the SMTP connections) live on the loop.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._loop is not None and self._loop.is_running()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            loop = asyncio.new_event_loop()
            started = threading.Event()

            def main() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(started.set)
                loop.run_forever()

            thread = threading.Thread(target=main, name=self._name, daemon=True)
            thread.start()
            started.wait()
            self._loop, self._thread = loop, thread

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """The coroutine's result; it is cancelled after `timeout` seconds."""
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError(f"{self._name} is not running (start() it first)")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if not thread.is_alive():
            loop.close()


@dataclass
class _Connection:
    smtp: aiosmtplib.SMTP
    messages: int = 0
    idle_since: float = field(default_factory=time.monotonic)


class SmtpPool:
    """Up to `size` SMTP connections, each carrying one message at a time.

    Lives on one event loop (every method runs there). `connect(password)`
    opens, greets and authenticates a new connection.
    """

    def __init__(
        self,
        connect: Callable[[str | None], Awaitable[aiosmtplib.SMTP]],
        size: int = 2,
        idle_seconds: float = 30.0,
        messages_per_connection: int = 100,
    ) -> None:
        self._connect = connect
        self._slots = asyncio.Semaphore(size)
        self._idle: list[_Connection] = []
        self._idle_seconds = idle_seconds
        self._messages_per_connection = messages_per_connection
        self._retiring: set[asyncio.Task[None]] = set()
        self.opened = 0  # connections opened so far (for logs and tests)

    async def send(self, mail: OutgoingMail, password: str | None) -> None:
        async with self._slots:
            connection = await self._checkout(password)
            try:
                await connection.smtp.sendmail(mail.sender, mail.recipients, mail.data)
            except BaseException:
                # Whatever state the session is in, it is not trusted again.
                connection.smtp.close()
                raise
            connection.messages += 1
            self._checkin(connection)

    async def _checkout(self, password: str | None) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()  # the most recently used first
            if not connection.smtp.is_connected:
                continue  # the server closed it; the loop noticed
            if now - connection.idle_since > self._idle_seconds:
                self._retire(connection)
                continue
            return connection
        smtp = await self._connect(password)
        self.opened += 1
        log.info("SMTP connection %d opened", self.opened)
        return _Connection(smtp)

    def _checkin(self, connection: _Connection) -> None:
        if connection.messages >= self._messages_per_connection:
            self._retire(connection)
            return
        connection.idle_since = time.monotonic()
        self._idle.append(connection)

    def _retire(self, connection: _Connection) -> None:
        """QUIT in the background: no send waits for it."""
        task = asyncio.get_running_loop().create_task(_quit(connection.smtp))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        await asyncio.gather(
            *(_quit(c.smtp) for c in idle), *self._retiring, return_exceptions=True
        )


async def _quit(smtp: aiosmtplib.SMTP, timeout: float = 2.0) -> None:
    try:
        if smtp.is_connected:
            await smtp.quit(timeout=timeout)
    except (aiosmtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


class SmtpMailer:
    """Sends email over reused SMTP connections (see the module docstring).

    `start()` before the first send (the app does it at start-up); `close()`
    at shutdown says QUIT on idle connections and stops the loop thread.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: Address,
        tls: TlsMode = "none",
        username: str = "",
        password: SecretPassword | Callable[[], str] | None = None,
        timeout: float = 10.0,
        connections: int = 2,
        idle_seconds: float = 30.0,
        messages_per_connection: int = 100,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._tls = tls
        self._username = username
        self._password = password
        self._timeout = timeout
        self._local_hostname: str | None = None
        self._loop = LoopThread("smtp")
        self._pool = SmtpPool(
            self._open,
            size=connections,
            idle_seconds=idle_seconds,
            messages_per_connection=messages_per_connection,
        )

    def start(self) -> None:
        self._loop.start()

    def close(self) -> None:
        if self._loop.running:
            try:
                self._loop.run(self._pool.close(), timeout=5.0)
            except Exception as err:
                log.warning("closing SMTP connections failed: %s", err)
        self._loop.stop()

    def send(self, email: Email) -> None:
        mail = build_message(email, self._sender)
        password: str | None = None
        if self._username:
            if self._password is None:
                raise RuntimeError("SMTP_USERNAME is set but no password source")
            password = self._password()
        try:
            # The loop's own timeout fires first; this one is a backstop.
            self._loop.run(self._send(mail, password), timeout=self._timeout + 1)
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
        except aiosmtplib.SMTPNotSupported as err:
            # an extension the message needs (e.g. SMTPUTF8) is not offered
            raise PermanentDeliveryError(f"SMTP server cannot take it: {err}") from err

    async def _send(self, mail: OutgoingMail, password: str | None) -> None:
        """Waiting for a connection, opening one and the exchange: one bound."""
        async with asyncio.timeout(self._timeout):
            await self._pool.send(mail, password)

    async def _open(self, password: str | None) -> aiosmtplib.SMTP:
        if self._local_hostname is None:
            # aiosmtplib would look it up (in a thread) on every connection.
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        smtp = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            use_tls=self._tls == "tls",
            start_tls=self._tls == "starttls",
            timeout=self._timeout,
            local_hostname=self._local_hostname,
            username=self._username or None,
            password=password,
        )
        await smtp.connect()
        return smtp

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
