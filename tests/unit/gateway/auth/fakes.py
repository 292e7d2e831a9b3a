"""A fake OIDC provider behind httpx.MockTransport, with real RSA keys.

Shared by the unit tests of gateway.auth (fixtures in conftest.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

ISSUER = "https://idp.test/shop"
AUDIENCE = "daprshop-api"
CLIENT_ID = "daprshop-web"
CLIENT_SECRET = "s3cret-for-tests"
PUBLIC_URL = "http://127.0.0.1:8000"
KID = "key-1"
JWKS_URI = "https://idp.test/keys/jwks.json"  # not derivable from the issuer


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class RsaKey:
    private: rsa.RSAPrivateKey
    kid: str

    @property
    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def public_der(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def public_jwk(self, **extra: Any) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()

        def uint(value: int) -> str:
            return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "n": uint(numbers.n),
            "e": uint(numbers.e),
            **extra,
        }


_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def rsa_private_key(name: str) -> rsa.RSAPrivateKey:
    if name not in _KEYS:  # 2048-bit generation is slow-ish: once per session
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


def sign(key: RsaKey, claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(
        claims,
        key.private_pem.decode(),
        algorithm="RS256",
        headers={"kid": key.kid, **headers},
    )


def forge(
    header: dict[str, Any], claims: dict[str, Any], signature: bytes = b""
) -> str:
    """A token with exactly this header, whatever signature we like."""
    return ".".join(
        [
            b64url(json.dumps(header).encode()),
            b64url(json.dumps(claims).encode()),
            b64url(signature),
        ]
    )


@dataclass
class FakeProvider:
    """Discovery, JWKS and token endpoint of an OIDC provider, in memory."""

    key: RsaKey
    end_session: bool = True
    jwks: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_overrides: dict[str, Any] = field(default_factory=dict)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    down: bool = False

    def __post_init__(self) -> None:
        self.jwks = [self.key.public_jwk()]

    # --- tokens -----------------------------------------------------------
    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": [AUDIENCE, "https://idp.test/userinfo"],
            "sub": "google-oauth2|alice",
            "email": "alice@example.com",
            "name": "Alice",
            "permissions": [],
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, **overrides: Any) -> str:
        return sign(self.key, self.claims(**overrides))

    # --- the authorization step (what the browser does at the provider) ----
    def authorize(self, query: str, subject: str = "google-oauth2|alice") -> str:
        params = {k: v[0] for k, v in parse_qs(query).items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**params, "subject": subject}
        return code

    # --- HTTP -------------------------------------------------------------
    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("provider down", request=request)
        url = str(request.url).split("?")[0]
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return httpx.Response(200, json=self.discovery())
        if url == JWKS_URI:
            return httpx.Response(200, json={"keys": self.jwks})
        if url == "https://idp.test/shop/token" and request.method == "POST":
            return self.token_endpoint(request)
        return httpx.Response(404, json={"error": "not_found"})

    def discovery(self) -> dict[str, Any]:
        doc = {
            "issuer": ISSUER,
            "authorization_endpoint": "https://idp.test/shop/authorize",
            "token_endpoint": "https://idp.test/shop/token",
            "jwks_uri": JWKS_URI,
        }
        if self.end_session:
            doc["end_session_endpoint"] = "https://idp.test/shop/endsession"
        return doc

    def token_endpoint(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            client = (unquote(user), unquote(password))
        else:
            client = (form.get("client_id", ""), form.get("client_secret", ""))
        if client != (CLIENT_ID, CLIENT_SECRET):
            return httpx.Response(401, json={"error": "invalid_client"})
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return httpx.Response(400, json={"error": "invalid_grant"})
        challenge = b64url(
            hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        )
        if (
            grant["code_challenge_method"] != "S256"
            or challenge != grant["code_challenge"]
        ):
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "PKCE failed"}
            )
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        access = self.token(sub=grant["subject"])
        id_claims = self.claims(
            sub=grant["subject"], aud=CLIENT_ID, azp=CLIENT_ID, nonce=grant["nonce"]
        )
        id_claims.pop("permissions")
        id_claims.update(self.id_token_claims)
        body = {
            "access_token": access,
            "id_token": sign(self.key, id_claims),
            "token_type": "Bearer",
            "expires_in": 600,
            **self.token_overrides,
        }
        return httpx.Response(200, json=body)

    def hits(self, url: str) -> int:
        return sum(1 for r in self.requests if str(r.url).split("?")[0] == url)
