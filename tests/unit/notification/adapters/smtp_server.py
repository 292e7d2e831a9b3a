"""A small real SMTP server on 127.0.0.1 for the mailer's tests.

It speaks enough ESMTP for aiosmtplib (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT,
DATA, RSET, NOOP, QUIT), over plain TCP, implicit TLS or STARTTLS, and records
what a test wants to check: connections opened, messages received (and whether
over TLS), QUITs. It can refuse recipients, hold DATA and drop every open
connection, as a server restarting or timing out idle clients does.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import ipaddress
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, BinaryIO, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    tls: bool
    connection: int  # 1 for the first connection the server accepted


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for IP 127.0.0.1 (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class SmtpServer:
    def __init__(
        self,
        tls: Literal["none", "tls", "starttls"] = "none",
        certificate: tuple[Path, Path] | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.tls = tls
        self.credentials = credentials
        self.context: ssl.SSLContext | None = None
        if tls != "none":
            if certificate is None:
                raise ValueError("TLS needs a certificate")
            self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.context.load_cert_chain(*certificate)
        self.refuse: dict[str, tuple[int, str]] = {}  # recipient -> reply
        self.data_delay = 0.0  # seconds to wait before answering DATA
        self.hold_data = threading.Event()  # set: DATA is not answered
        self.received: list[Received] = []
        self.connections = 0
        self.quits = 0
        self.busiest = 0  # most messages in DATA at the same moment
        self._in_data = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.hold_data.clear()
        self.drop_all()
        self._server.shutdown()
        self._server.server_close()

    def drop_all(self) -> None:
        """Close every open client connection from the server's side."""
        with self._lock:
            open_sockets, self._open = set(self._open), set()
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def messages_to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    # --- one client connection ---------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            number = self.connections
        self._session(sock, number)

    def _session(self, sock: socket.socket, number: int) -> None:
        current = [sock]  # STARTTLS replaces it
        try:
            if self.tls == "tls":
                assert self.context is not None
                current[0] = self.context.wrap_socket(sock, server_side=True)
            with self._lock:
                self._open.add(current[0])
            self._commands(current, number)
        except (OSError, ssl.SSLError, ValueError):
            pass  # the client or drop_all() went away
        finally:
            with self._lock:
                self._open.discard(current[0])
            current[0].close()

    def _commands(self, current: list[socket.socket], number: int) -> None:
        sock = current[0]
        stream: BinaryIO = sock.makefile("rwb")

        def reply(*lines: str) -> None:
            *first, last = lines
            out = "".join(f"{line[:3]}-{line[4:]}\r\n" for line in first)
            stream.write(f"{out}{last}\r\n".encode())
            stream.flush()

        tls_active = self.tls == "tls"
        authenticated = self.credentials is None
        sender: str | None = None
        recipients: list[str] = []
        reply("220 test.local ESMTP")
        while True:
            raw = stream.readline()
            if not raw:
                return
            command = raw.decode().rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                extensions = ["250 test.local", "250 SIZE 10240000", "250 8BITMIME"]
                if self.tls == "starttls" and not tls_active:
                    extensions.append("250 STARTTLS")
                if self.credentials:
                    extensions.append("250 AUTH PLAIN")
                reply(*extensions)
            elif verb == "STARTTLS" and self.tls == "starttls" and not tls_active:
                reply("220 go ahead")
                assert self.context is not None
                stream.close()
                with self._lock:
                    self._open.discard(sock)
                sock = current[0] = self.context.wrap_socket(sock, server_side=True)
                with self._lock:
                    self._open.add(sock)
                stream = sock.makefile("rwb")
                tls_active = True
            elif verb == "AUTH":
                authenticated = self._auth(argument, stream, reply)
            elif verb == "MAIL":
                if not authenticated:
                    reply("530 authentication required")
                    continue
                sender, recipients = _address(argument), []
                reply("250 sender ok")
            elif verb == "RCPT":
                address = _address(argument)
                code, text = self.refuse.get(address, (250, "recipient ok"))
                if code == 250:
                    recipients.append(address)
                reply(f"{code} {text}")
            elif verb == "DATA":
                reply("354 end with <CRLF>.<CRLF>")
                body = _read_data(stream)
                self._enter_data()
                try:
                    time.sleep(self.data_delay)
                    while self.hold_data.is_set():
                        time.sleep(0.01)
                finally:
                    with self._lock:
                        self._in_data -= 1
                self.received.append(
                    Received(
                        sender or "",
                        tuple(recipients),
                        message_from_bytes(body, policy=policy.default),  # type: ignore[arg-type]
                        tls_active,
                        number,
                    )
                )
                sender, recipients = None, []
                reply("250 queued")
            elif verb == "RSET":
                sender, recipients = None, []
                reply("250 reset")
            elif verb == "NOOP":
                reply("250 ok")
            elif verb == "QUIT":
                with self._lock:
                    self.quits += 1
                reply("221 bye")
                return
            else:
                reply("502 not implemented")

    def _auth(self, argument: str, stream: BinaryIO, reply: Any) -> bool:
        mechanism, _, initial = argument.partition(" ")
        if mechanism.upper() != "PLAIN":
            reply("504 unsupported mechanism")
            return False
        if not initial:
            reply("334 ")
            initial = stream.readline().decode().strip()
        _, user, password = base64.b64decode(initial).decode().split("\0")
        if (user, password) == self.credentials:
            reply("235 authenticated")
            return True
        reply("535 bad credentials")
        return False

    def _enter_data(self) -> None:
        with self._lock:
            self._in_data += 1
            self.busiest = max(self.busiest, self._in_data)


def _address(argument: str) -> str:
    """`FROM:<a@b> SIZE=12` / `TO:<a@b>` -> a@b."""
    _, _, rest = argument.partition(":")
    return rest.split()[0].strip("<>") if rest.split() else ""


def _read_data(stream: BinaryIO) -> bytes:
    lines: list[bytes] = []
    while True:
        line = stream.readline()
        if not line or line == b".\r\n":
            return b"".join(lines)
        lines.append(line[1:] if line.startswith(b"..") else line)
