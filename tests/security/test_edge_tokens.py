"""Algorithm confusion against the running gateway, over HTTP, with the local
provider's real signing key: every forged bearer is a 401 `invalid_token`,
while the provider's own token works. The same forms are unit-tested layer by
layer in tests/unit/gateway/auth/test_confusion.py; python-jose stays only
while both pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
from jose import jwt

from devmesh.tokens import get_token
from tests.security.edge import Gateway

pytestmark = pytest.mark.security


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_uint(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value).encode())


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


@pytest.fixture(scope="module")
def provider_jwk(oidc_issuer: str) -> dict[str, Any]:
    """The provider's real signing key, as it publishes it."""
    with httpx.Client(timeout=10.0) as http:
        discovery = http.get(f"{oidc_issuer}/.well-known/openid-configuration")
        keys = http.get(discovery.json()["jwks_uri"]).json()["keys"]
    rsa_keys = [k for k in keys if k.get("kty") == "RSA"]
    assert rsa_keys, keys
    return dict(rsa_keys[0])


@pytest.fixture(scope="module")
def real_token(oidc_issuer: str) -> str:
    return get_token("mallory", issuer_url=oidc_issuer)


@pytest.fixture(scope="module")
def claims(real_token: str) -> dict[str, Any]:
    """The claims of a real token (valid issuer, audience, times), reused in
    forgeries so that only the signature or header can make them fail."""
    return dict(jwt.get_unverified_claims(real_token))


@pytest.fixture(scope="module")
def attacker() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def attacker_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()

    def uint(value: int) -> str:
        return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": uint(numbers.n), "e": uint(numbers.e)}  # fmt: skip


def attacker_signed(
    key: rsa.RSAPrivateKey, claims: dict[str, Any], **headers: Any
) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return jwt.encode(claims, pem, algorithm="RS256", headers=headers)


@pytest.fixture(scope="module")
def attacker_jwks_server(
    attacker: rsa.RSAPrivateKey, provider_jwk: dict[str, Any]
) -> Iterator[tuple[str, list[str]]]:
    """A JWKS the attacker controls (on 127.0.0.1): (its URL, paths requested)."""
    hits: list[str] = []
    body = json.dumps({"keys": [attacker_jwk(attacker, provider_jwk["kid"])]})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", hits
    server.shutdown()
    server.server_close()


def test_the_providers_own_token_is_accepted(gateway: Gateway, real_token: str) -> None:
    response = gateway.call(real_token)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["id"]


@pytest.mark.parametrize("form", ["pem", "der", "jwk-json"])
def test_hs256_keyed_with_the_providers_public_key_is_refused(
    gateway: Gateway, provider_jwk: dict[str, Any], claims: dict[str, Any], form: str
) -> None:
    public = RSAPublicNumbers(
        e=b64url_uint(provider_jwk["e"]), n=b64url_uint(provider_jwk["n"])
    ).public_key()
    secret = {
        "pem": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "der": public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "jwk-json": json.dumps(provider_jwk).encode(),
    }[form]
    header = {"alg": "HS256", "typ": "JWT", "kid": provider_jwk["kid"]}

    assert "algorithm" in gateway.refuses(hs256(header, claims, secret))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
@pytest.mark.parametrize("signature", ["absent", "empty", "provider's"])
def test_alg_none_is_refused(
    gateway: Gateway,
    real_token: str,
    provider_jwk: dict[str, Any],
    claims: dict[str, Any],
    alg: str,
    signature: str,
) -> None:
    unsigned = f"{segment({'alg': alg, 'typ': 'JWT', 'kid': provider_jwk['kid']})}"
    unsigned += f".{segment(claims)}"
    token = {
        "absent": unsigned,
        "empty": unsigned + ".",
        "provider's": unsigned + "." + real_token.split(".")[2],
    }[signature]

    gateway.refuses(token)


@pytest.mark.parametrize("header", ["jku", "x5u"])
def test_a_header_pointing_at_the_attackers_keys_is_refused_unfetched(
    gateway: Gateway,
    attacker: rsa.RSAPrivateKey,
    attacker_jwks_server: tuple[str, list[str]],
    provider_jwk: dict[str, Any],
    claims: dict[str, Any],
    header: str,
) -> None:
    url, hits = attacker_jwks_server
    for kid in (provider_jwk["kid"], "attacker"):
        token = attacker_signed(attacker, claims, kid=kid, **{header: url})
        assert header in gateway.refuses(token)
    assert hits == []


def test_an_embedded_attacker_jwk_is_refused(
    gateway: Gateway,
    attacker: rsa.RSAPrivateKey,
    provider_jwk: dict[str, Any],
    claims: dict[str, Any],
) -> None:
    for kid in (provider_jwk["kid"], "attacker"):
        token = attacker_signed(
            attacker, claims, kid=kid, jwk=attacker_jwk(attacker, kid)
        )
        assert "jwk" in gateway.refuses(token)


def test_the_attackers_key_under_the_providers_kid_is_refused(
    gateway: Gateway,
    attacker: rsa.RSAPrivateKey,
    provider_jwk: dict[str, Any],
    claims: dict[str, Any],
) -> None:
    token = attacker_signed(attacker, claims, kid=provider_jwk["kid"])

    assert "signature" in gateway.refuses(token)
