"""Sidecar-to-sidecar traffic is mTLS with certificates from the mesh's CA:
the internal gRPC port refuses plaintext and any other client certificate."""

from __future__ import annotations

import datetime
import socket
import ssl
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devmesh import ports
from devmesh.ports import APP_NAMES
from tests.security.calls import call

pytestmark = [pytest.mark.security, pytest.mark.lite]

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex(
    "000000040000000000"
)
CALL_LOCAL = "/dapr.proto.internals.v1.ServiceInvocation/CallLocal"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A client certificate for spiffe://public/ns/default/gateway that the
    mesh's CA never signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gateway")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier("spiffe://public/ns/default/gateway")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "client.crt", folder / "client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _tls_exchange(port: int, cert: tuple[Path, Path] | None) -> bytes:
    """Open TLS to the port (not checking the server), speak HTTP/2, return
    what the server answers; a refusal is an alert, a reset or nothing."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    if cert:
        context.load_cert_chain(*cert)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw) as tls,
    ):
        tls.sendall(HTTP2_PREFACE)
        return tls.recv(1024)


@pytest.mark.parametrize("app", APP_NAMES)
def test_internal_port_refuses_plaintext(mesh: object, app: str) -> None:
    err = call(ports.load().apps[app].internal, CALL_LOCAL)
    assert err is not None
    assert err.code() == grpc.StatusCode.UNAVAILABLE, err


@pytest.mark.parametrize("app", APP_NAMES)
@pytest.mark.parametrize("with_cert", [True, False], ids=["self-signed", "no-cert"])
def test_internal_port_refuses_a_client_the_ca_did_not_sign(
    mesh: object, app: str, with_cert: bool, tmp_path: Path
) -> None:
    cert = _self_signed(tmp_path) if with_cert else None
    port = ports.load().apps[app].internal
    try:
        answer = _tls_exchange(port, cert)
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as err:
        assert "certificate" in str(err).lower() or isinstance(
            err, ConnectionResetError | BrokenPipeError
        ), err
        return
    assert answer == b"", f"{app}'s internal port answered: {answer!r}"
