"""Sentry signs a certificate only for the app id its JWT names.

Each case starts a real daprd against the mesh's Sentry (no app, no
components) and reads how its identity request ended.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from devmesh import bootstrap, ports, trust
from devmesh.launcher import LOOPBACK

pytestmark = [pytest.mark.security, pytest.mark.lite]


def _free_ports(count: int) -> list[int]:
    socks = [socket.socket() for _ in range(count)]
    for sock in socks:
        sock.bind((LOOPBACK, 0))
    found = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return found


def _identity_log(app_id: str, token: str | None, folder: Path) -> str:
    """Run a bare daprd as `app_id` with this Sentry token; its log."""
    http, grpc_port, internal, metrics = _free_ports(4)
    (folder / "resources").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DAPR_TRUST_ANCHORS": trust.trust_anchors(),
        "DAPR_SENTRY_TOKEN_FILE": str(folder / "token.jwt"),
    }
    if token is None:
        env.pop("DAPR_SENTRY_TOKEN_FILE")
    else:
        (folder / "token.jwt").write_text(token)
    argv = [
        str(bootstrap.daprd_bin()),
        "--app-id", app_id,
        "--dapr-listen-addresses", LOOPBACK,
        "--dapr-http-port", str(http),
        "--dapr-grpc-port", str(grpc_port),
        "--dapr-internal-grpc-port", str(internal),
        "--dapr-internal-grpc-listen-address", LOOPBACK,
        "--metrics-port", str(metrics),
        "--metrics-listen-address", LOOPBACK,
        "--resources-path", str(folder / "resources"),
        "--placement-host-address", "",
        "--scheduler-host-address", "",
        "--enable-mtls",
        "--sentry-address", f"{LOOPBACK}:{ports.load().sentry}",
        "--log-level", "info",
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if "initial identity" in line and "Fetching" not in line:
            break
        if "Security is initialized successfully" in line:
            break
    proc.terminate()
    proc.wait(timeout=15)
    return "".join(lines)


def _another_key_token(app: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from jose import jwt

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    claims = {"sub": trust.spiffe_id(app), "aud": trust.SENTRY_AUDIENCE}
    token: str = jwt.encode(
        claims, pem, algorithm="ES256", headers={"kid": trust.KEY_ID}
    )
    return token


def test_the_apps_own_token_gets_a_certificate(mesh: object, tmp_path: Path) -> None:
    log = _identity_log("user", trust.mint_sentry_token("user", ttl=120), tmp_path)
    assert "Security is initialized successfully" in log, log


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no token", "a validator name must be specified"),
        ("another app's token", "not satisfied: values do not match"),
        ("a token signed by another key", "token validation failed"),
    ],
)
def test_sentry_refuses(mesh: object, tmp_path: Path, case: str, expected: str) -> None:
    token = {
        "no token": None,
        "another app's token": trust.mint_sentry_token("product", ttl=120),
        "a token signed by another key": _another_key_token("user"),
    }[case]
    log = _identity_log("user", token, tmp_path)
    assert "failed to retrieve the initial identity" in log, log
    assert expected in log, log
    assert "Security is initialized successfully" not in log
