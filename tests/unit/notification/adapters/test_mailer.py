"""SMTP sending against a small real server: reuse, failures, TLS, timeouts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import aiosmtplib
import pytest

from services.notification.adapters.mailer import SmtpMailer
from services.notification.adapters.mime import sender_address
from services.notification.adapters.secret_password import SecretPassword
from services.notification.domain import (
    Contact,
    Email,
    InvalidRecipient,
    PermanentDeliveryError,
    compose_email,
)
from tests.unit.notification.adapters.smtp_server import (
    SmtpServer,
    self_signed_certificate,
)
from tests.unit.notification.fakes import FakeDapr

SENDER = sender_address("Daprshop <no-reply@daprshop.local>")


def email_to(address: str, event_id: str = "ev-1") -> Email:
    contact = Contact("u", address, "Eve", "", True, False)
    return compose_email(event_id, contact, "Welcome", "hello", "<p>hello</p>", "x.y")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


@contextmanager
def running_mailer(server: SmtpServer, **kwargs: Any) -> Iterator[SmtpMailer]:
    mailer = SmtpMailer("127.0.0.1", server.port, SENDER, **kwargs)
    mailer.start()
    try:
        yield mailer
    finally:
        mailer.close()


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_one_connection_carries_message_after_message(server: SmtpServer) -> None:
    with running_mailer(server) as mailer:
        for n in range(5):
            mailer.send(email_to("eve@example.com", f"ev-{n}"))
    assert server.connections == 1
    assert [r.message["Message-ID"] for r in server.received] == [
        f"<ev-{n}.email@x.y>" for n in range(5)
    ]
    assert all(r.recipients == ("eve@example.com",) for r in server.received)
    assert server.received[0].sender == "no-reply@daprshop.local"
    assert server.quits == 1  # close() said goodbye


def test_an_address_that_is_not_ascii_is_a_bad_recipient_and_sends_nothing(
    server: SmtpServer,
) -> None:
    contact = Contact("u", "zoë@example.com", "Zoë", "", True, False)
    email = compose_email("ev-9", contact, "Hi", "t", "<p>h</p>", "x.y")
    with running_mailer(server) as mailer:
        with pytest.raises(InvalidRecipient, match="not ASCII"):
            mailer.send(email)
        mailer.send(email_to("eve@example.com"))
    assert [r.recipients for r in server.received] == [("eve@example.com",)]


def test_a_connection_the_server_dropped_is_replaced(server: SmtpServer) -> None:
    with running_mailer(server) as mailer:
        mailer.send(email_to("eve@example.com", "ev-1"))
        server.drop_all()  # a restart, or the server's idle timeout
        # Only a sync point: wait until the mailer's loop has seen the close.
        wait_until(lambda: not any(c.smtp.is_connected for c in mailer._pool._idle))
        mailer.send(email_to("eve@example.com", "ev-2"))
    assert [r.connection for r in server.received] == [1, 2]


def test_a_send_on_a_connection_lost_mid_way_fails_and_the_next_one_reconnects(
    server: SmtpServer,
) -> None:
    server.hold_data.set()
    with running_mailer(server) as mailer:
        failure: list[BaseException] = []

        def send() -> None:
            try:
                mailer.send(email_to("eve@example.com", "ev-1"))
            except BaseException as err:
                failure.append(err)

        sending = threading.Thread(target=send)
        sending.start()
        wait_until(lambda: server.busiest == 1)  # the message is in DATA
        server.drop_all()
        sending.join(5)
        # Not resent here: the server may have taken it. Dapr redelivers.
        assert failure and isinstance(failure[0], aiosmtplib.SMTPServerDisconnected)
        server.hold_data.clear()
        mailer.send(email_to("eve@example.com", "ev-1"))
    assert server.connections == 2


def test_an_idle_connection_is_replaced_not_trusted(server: SmtpServer) -> None:
    with running_mailer(server, idle_seconds=0.05) as mailer:
        mailer.send(email_to("eve@example.com", "ev-1"))
        time.sleep(0.1)
        mailer.send(email_to("eve@example.com", "ev-2"))
        wait_until(lambda: server.quits == 1)  # the stale one was closed politely
    assert [r.connection for r in server.received] == [1, 2]


def test_a_connection_is_retired_after_its_message_quota(server: SmtpServer) -> None:
    with running_mailer(server, messages_per_connection=2) as mailer:
        for n in range(5):
            mailer.send(email_to("eve@example.com", f"ev-{n}"))
    assert [r.connection for r in server.received] == [1, 1, 2, 2, 3]


def test_concurrent_sends_share_at_most_the_pool_size(server: SmtpServer) -> None:
    server.data_delay = 0.05
    with running_mailer(server, connections=2) as mailer:
        senders = [
            threading.Thread(
                target=mailer.send, args=(email_to("eve@example.com", f"ev-{n}"),)
            )
            for n in range(6)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(10)
    assert len(server.received) == 6
    assert server.connections == 2
    assert server.busiest == 2


def test_5xx_refusals_are_permanent_4xx_and_outages_are_not(
    server: SmtpServer,
) -> None:
    server.refuse["gone@example.com"] = (550, "no such user")
    server.refuse["busy@example.com"] = (451, "try later")
    with running_mailer(server) as mailer:
        with pytest.raises(PermanentDeliveryError):
            mailer.send(email_to("gone@example.com"))
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as passing:
            mailer.send(email_to("busy@example.com"))
        assert not isinstance(passing.value, PermanentDeliveryError)
        mailer.send(email_to("eve@example.com"))  # still sending after refusals
    assert len(server.received) == 1
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    nowhere = SmtpMailer("127.0.0.1", port, SENDER)
    nowhere.start()
    try:
        with pytest.raises(ConnectionError):
            nowhere.send(email_to("eve@example.com"))
    finally:
        nowhere.close()


def test_credentials_are_sent_and_an_auth_failure_forgets_the_password() -> None:
    dapr = FakeDapr({"smtp-password": "old"})
    password = SecretPassword(dapr, "secrets", "smtp-password")  # type: ignore[arg-type]
    with (
        SmtpServer(credentials=("shop", "rotated")) as server,
        running_mailer(server, username="shop", password=password) as mailer,
    ):
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            mailer.send(email_to("eve@example.com", "ev-1"))
        dapr.secrets["smtp-password"] = "rotated"
        mailer.send(email_to("eve@example.com", "ev-1"))  # the redelivery
    assert dapr.secret_reads == 2
    assert len(server.received) == 1


@pytest.mark.parametrize("mode", ["tls", "starttls"])
def test_tls_modes_encrypt_and_verify_the_server(
    mode: Literal["tls", "starttls"],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    certificate = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust it as a CA
    with (
        SmtpServer(mode, certificate, credentials=("shop", "pw")) as server,
        running_mailer(
            server, tls=mode, username="shop", password=lambda: "pw"
        ) as mailer,
    ):
        mailer.send(email_to("eve@example.com", "ev-1"))
        mailer.send(email_to("eve@example.com", "ev-2"))
    assert [(r.tls, r.connection) for r in server.received] == [(True, 1), (True, 1)]


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    certificate = self_signed_certificate(tmp_path)
    with (
        SmtpServer("tls", certificate) as server,
        running_mailer(server, tls="tls") as mailer,
        pytest.raises(ConnectionError),
    ):
        mailer.send(email_to("eve@example.com"))


def test_a_hanging_server_is_cut_off_by_the_timeout(server: SmtpServer) -> None:
    server.hold_data.set()
    with running_mailer(server, timeout=0.2) as mailer:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            mailer.send(email_to("eve@example.com", "ev-1"))
        assert time.monotonic() - started < 1.0
        server.hold_data.clear()
        mailer.send(email_to("eve@example.com", "ev-2"))
    assert server.connections == 2  # the cut-off connection was not reused


def test_sending_needs_a_started_mailer_and_stops_after_close(
    server: SmtpServer,
) -> None:
    mailer = SmtpMailer("127.0.0.1", server.port, SENDER)
    with pytest.raises(RuntimeError):
        mailer.send(email_to("eve@example.com"))
    mailer.start()
    mailer.send(email_to("eve@example.com"))
    mailer.close()
    assert server.quits == 1
    assert not [t for t in threading.enumerate() if t.name == "smtp"]
    with pytest.raises(RuntimeError):
        mailer.send(email_to("eve@example.com"))
