"""Email over SMTP (aiosmtplib): the `Mailer` port.

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
import logging
import socket
from collections.abc import Callable
from email.headerregistry import Address
from typing import Literal

import aiosmtplib

from common import tracing
from services.notification.adapters.loop_thread import LoopThread
from services.notification.adapters.mime import OutgoingMail, build_message
from services.notification.adapters.secret_password import SecretPassword
from services.notification.adapters.smtp_pool import SmtpPool
from services.notification.domain import Email, PermanentDeliveryError

log = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "tls"]


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
        mail = build_message(email, self._sender, tracing.current_trace_id())
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
