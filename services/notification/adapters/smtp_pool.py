"""A small pool of reused SMTP connections, living on one event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiosmtplib

from services.notification.adapters.mime import OutgoingMail

log = logging.getLogger(__name__)


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
