"""Access-token verification: the good token passes, every forgery fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from gateway.auth import InvalidToken, Principal, TokenVerifier
from gateway.auth.jwks import rsa_verification_key
from tests.unit.gateway.auth.fakes import (
    AUDIENCE,
    ISSUER,
    KID,
    FakeProvider,
    RsaKey,
    b64url,
    forge,
    sign,
)

pytestmark = pytest.mark.anyio


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HS256 token whose HMAC secret is (some encoding of) the public key."""
    signing_input = ".".join(
        [b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode())]
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


async def rejected(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as err:
        await verifier.verify_access_token(token)
    return err.value.description


async def test_a_good_token_yields_the_principal(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    token = provider.token(permissions=["products:write", "orders:write"])

    principal = Principal.from_claims(await verifier.verify_access_token(token))

    assert principal.subject == "google-oauth2|alice"
    assert principal.email == "alice@example.com"
    assert principal.name == "Alice"
    assert principal.permissions == frozenset({"products:write", "orders:write"})
    assert principal.raw_claims["iss"] == ISSUER


async def test_a_single_string_audience_is_accepted(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    claims = await verifier.verify_access_token(provider.token(aud=AUDIENCE))
    assert claims["aud"] == AUDIENCE


async def test_permissions_come_only_from_the_permissions_claim(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    token = provider.token(permissions=None, scope="products:write orders:write")

    principal = Principal.from_claims(await verifier.verify_access_token(token))

    assert principal.permissions == frozenset()


async def test_a_malformed_permissions_claim_is_refused(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    claims = await verifier.verify_access_token(
        provider.token(permissions="products:write")
    )
    with pytest.raises(InvalidToken):
        Principal.from_claims(claims)


async def test_alg_none_is_rejected(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    for alg in ("none", "None", "NONE"):
        token = forge({"alg": alg, "typ": "JWT", "kid": KID}, provider.claims())
        await rejected(verifier, token)
        await rejected(verifier, token.rstrip(".") + ".")


@pytest.mark.parametrize("encoding", ["pem", "der", "jwk"])
async def test_hs256_signed_with_the_public_key_is_rejected(
    verifier: TokenVerifier, provider: FakeProvider, rsa_key: RsaKey, encoding: str
) -> None:
    secret = {
        "pem": rsa_key.public_pem,
        "der": rsa_key.public_der,
        "jwk": json.dumps(rsa_key.public_jwk()).encode(),
    }[encoding]
    token = hs256({"alg": "HS256", "typ": "JWT", "kid": KID}, provider.claims(), secret)

    assert "algorithm" in await rejected(verifier, token)


@pytest.mark.parametrize("encoding", ["pem", "der", "jwk"])
def test_even_past_the_header_check_jose_cannot_use_the_key_as_hmac_secret(
    verifier: TokenVerifier, provider: FakeProvider, rsa_key: RsaKey, encoding: str
) -> None:
    """The second layer alone: an RSA key object and algorithms=["RS256"]."""
    secret = {
        "pem": rsa_key.public_pem,
        "der": rsa_key.public_der,
        "jwk": json.dumps(rsa_key.public_jwk()).encode(),
    }[encoding]
    token = hs256({"alg": "HS256", "typ": "JWT", "kid": KID}, provider.claims(), secret)
    key = rsa_verification_key(rsa_key.public_jwk())

    with pytest.raises(InvalidToken):
        verifier.decode(token, key, audience=AUDIENCE)
    with pytest.raises(TypeError):
        verifier.decode(token, rsa_key.public_pem.decode(), audience=AUDIENCE)  # type: ignore[arg-type]


async def test_a_foreign_kid_is_rejected(
    verifier: TokenVerifier, attacker_key: RsaKey, provider: FakeProvider
) -> None:
    foreign = RsaKey(attacker_key.private, "attacker-kid")
    assert "unknown signing key" in await rejected(
        verifier, sign(foreign, provider.claims())
    )


async def test_another_key_with_the_same_kid_is_rejected(
    verifier: TokenVerifier, attacker_key: RsaKey, provider: FakeProvider
) -> None:
    assert attacker_key.kid == KID
    assert "signature" in await rejected(
        verifier, sign(attacker_key, provider.claims())
    )


async def test_a_missing_kid_is_rejected(
    verifier: TokenVerifier, rsa_key: RsaKey, provider: FakeProvider
) -> None:
    token = forge({"alg": "RS256", "typ": "JWT"}, provider.claims(), b"sig")
    assert "kid" in await rejected(verifier, token)


@pytest.mark.parametrize("header", ["jku", "x5u"])
async def test_key_url_headers_are_rejected_and_never_fetched(
    verifier: TokenVerifier, attacker_key: RsaKey, provider: FakeProvider, header: str
) -> None:
    url = "https://attacker.test/jwks.json"
    token = sign(attacker_key, provider.claims(), **{header: url})

    assert header in await rejected(verifier, token)
    assert provider.hits(url) == 0


async def test_an_embedded_jwk_header_is_rejected(
    verifier: TokenVerifier, attacker_key: RsaKey, provider: FakeProvider
) -> None:
    token = sign(attacker_key, provider.claims(), jwk=attacker_key.public_jwk())
    assert "jwk" in await rejected(verifier, token)


@pytest.mark.parametrize("header", ["x5c", "crit"])
async def test_x5c_and_crit_headers_are_rejected(
    verifier: TokenVerifier, rsa_key: RsaKey, provider: FakeProvider, header: str
) -> None:
    value: Any = ["MIIB"] if header == "x5c" else ["exp"]
    token = sign(rsa_key, provider.claims(), **{header: value})
    assert header in await rejected(verifier, token)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "https://evil.test/shop"}, "issuer"),
        ({"iss": ISSUER + "/"}, "issuer"),
        ({"iss": None}, "iss"),
        ({"aud": "another-api"}, "audience"),
        ({"aud": ["another-api", "https://idp.test/userinfo"]}, "audience"),
        ({"aud": None}, "aud"),
        ({"exp": None}, "exp"),
        ({"sub": None}, "sub"),
    ],
)
async def test_wrong_or_missing_claims_are_rejected(
    verifier: TokenVerifier,
    provider: FakeProvider,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    assert reason in await rejected(verifier, provider.token(**overrides))


async def test_an_expired_token_is_rejected(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    now = int(time.time())
    token = provider.token(iat=now - 600, nbf=now - 600, exp=now - 31)
    assert "expired" in await rejected(verifier, token)


async def test_nbf_in_the_future_is_rejected(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    token = provider.token(nbf=int(time.time()) + 120)
    assert "not valid yet" in await rejected(verifier, token)


async def test_iat_in_the_future_is_rejected(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    token = provider.token(iat=int(time.time()) + 120)
    assert "future" in await rejected(verifier, token)


async def test_clock_skew_within_the_leeway_is_tolerated(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    now = int(time.time())
    token = provider.token(iat=now + 10, nbf=now + 10, exp=now - 10)
    assert (await verifier.verify_access_token(token))["sub"]


async def test_a_jwe_shaped_token_is_rejected(verifier: TokenVerifier) -> None:
    header = b64url(
        json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": KID}).encode()
    )
    token = f"{header}.ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn"
    assert "3 segments" in await rejected(verifier, token)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "a.b.c",
        "a.b",
        "...",
        "eyJhbGciOiJSUzI1NiJ9..",
        "e30.e30.e30",
        "W10.e30.c2ln",  # header is a JSON list
        "x" * 20_000,
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.bm90IGpzb24.c2ln",  # payload not JSON
    ],
)
async def test_garbage_is_rejected(verifier: TokenVerifier, garbage: str) -> None:
    await rejected(verifier, garbage)
