"""Per-machine TLS material for the prod-local profile's servers.

`~/.cache/daprshop/trust/local-tls/` holds a CA made on first use and one
server certificate it signed for 127.0.0.1 and localhost, which the local
Kafka (SASL_SSL listener) and Redis (TLS port) present. Clients trust the CA
the way production clients trust a managed service's public CA: daprd (Go)
and the apps (OpenSSL) read `bundle.pem`, the system roots plus this CA,
through SSL_CERT_FILE. `python -m devmesh rotate-ca` does not touch it; delete
the folder to make a new one (stop the prod-local mesh first).
"""

from __future__ import annotations

import datetime
import fcntl
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devmesh.paths import CACHE

FOLDER = CACHE / "trust" / "local-tls"
SYSTEM_ROOTS = Path("/etc/ssl/certs/ca-certificates.crt")
VALIDITY = datetime.timedelta(days=825)


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the CA certificate (PEM)
    cert: Path  # the server certificate (PEM)
    key: Path  # its private key (PKCS#8 PEM, unencrypted, mode 0600)
    bundle: Path  # system roots + the CA: SSL_CERT_FILE for every client


def files(folder: Path = FOLDER) -> TlsFiles:
    return TlsFiles(
        ca=folder / "ca.crt",
        cert=folder / "server.crt",
        key=folder / "server.key",
        bundle=folder / "bundle.pem",
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.chmod(mode)
    tmp.rename(path)


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        ).add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def ensure(folder: Path = FOLDER) -> TlsFiles:
    """The CA, the server certificate and the bundle, made once per machine
    (under a lock: two meshes may start at once)."""
    out = files(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(p.exists() for p in (out.ca, out.cert, out.key, out.bundle)):
            return out
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("daprshop local CA", ca_key, None, ca_key)
        server_key = ec.generate_private_key(ec.SECP256R1())
        server = _certificate("localhost", server_key, ca, ca_key)
        ca_pem = ca.public_bytes(serialization.Encoding.PEM)
        roots = SYSTEM_ROOTS.read_bytes() if SYSTEM_ROOTS.exists() else b""
        _write(folder / "ca.key", _key_pem(ca_key), 0o600)
        _write(out.ca, ca_pem)
        _write(out.key, _key_pem(server_key), 0o600)
        _write(out.cert, server.public_bytes(serialization.Encoding.PEM))
        _write(out.bundle, roots.rstrip(b"\n") + b"\n" + ca_pem)
    return out
