"""Algorithm confusion against the real verifier: every form fails, at each of
the two layers alone (gateway.auth.tokens: our header check, then jose given an
RSA key object and algorithms=["RS256"]).

python-jose stays in the project only while these pass; see also
tests/security/test_edge_tokens.py (the same forms against the running gateway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from gateway.auth import InvalidToken, TokenVerifier
from gateway.auth.jwks import rsa_verification_key
from gateway.auth.tokens import inspect_header
from tests.unit.gateway.auth.fakes import (
    AUDIENCE,
    KID,
    FakeProvider,
    RsaKey,
    b64url,
    forge,
    sign,
)

pytestmark = pytest.mark.anyio

ATTACKER_URL = "https://attacker.test/jwks.json"


def hmac_token(
    header: dict[str, Any], claims: dict[str, Any], secret: bytes, digest: Any
) -> str:
    signing_input = ".".join(
        [b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode())]
    )
    mac = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64url(mac)}"


def public_key_forms(key: RsaKey) -> dict[str, bytes]:
    """The encodings of the provider's public key an attacker would try as the
    HMAC secret (what a confused verifier would hand to HMAC)."""
    public = key.private.public_key()
    jwk = key.public_jwk()
    return {
        "pem": key.public_pem,
        "pem-pkcs1": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        ),
        "der": key.public_der,
        "jwk-json": json.dumps(jwk).encode(),
        "jwk-json-compact": json.dumps(jwk, separators=(",", ":")).encode(),
        "jwks-json": json.dumps({"keys": [jwk]}).encode(),
        "openssh": public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ),
    }


FORMS = [
    "pem",
    "pem-pkcs1",
    "der",
    "jwk-json",
    "jwk-json-compact",
    "jwks-json",
    "openssh",
]
HMACS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


async def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as err:
        await verifier.verify_access_token(token)
    return err.value.description


def decode_alone(verifier: TokenVerifier, rsa_key: RsaKey, token: str) -> None:
    """Layer 2 only: jose with the provider's real key, no header check first."""
    key = rsa_verification_key(rsa_key.public_jwk())
    with pytest.raises(InvalidToken):
        verifier.decode(token, key, audience=AUDIENCE)


# --- HS256/384/512 signed with the RSA public key -------------------------------


@pytest.mark.parametrize("alg", list(HMACS))
@pytest.mark.parametrize("form", FORMS)
async def test_hmac_signed_with_the_public_key_is_refused(
    verifier: TokenVerifier,
    provider: FakeProvider,
    rsa_key: RsaKey,
    form: str,
    alg: str,
) -> None:
    secret = public_key_forms(rsa_key)[form]
    header = {"alg": alg, "typ": "JWT", "kid": KID}
    token = hmac_token(header, provider.claims(), secret, HMACS[alg])

    assert "algorithm not allowed" in await refused(verifier, token)
    decode_alone(verifier, rsa_key, token)


@pytest.mark.parametrize("form", FORMS)
async def test_an_hmac_signature_under_an_rs256_header_is_refused(
    verifier: TokenVerifier, provider: FakeProvider, rsa_key: RsaKey, form: str
) -> None:
    """The header says RS256 (passes layer 1); the signature is HMAC-SHA256
    keyed with the public key: jose checks it as RSA and it fails."""
    secret = public_key_forms(rsa_key)[form]
    header = {"alg": "RS256", "typ": "JWT", "kid": KID}
    token = hmac_token(header, provider.claims(), secret, hashlib.sha256)

    assert "signature" in await refused(verifier, token)


@pytest.mark.parametrize("form", ["pem", "der", "jwk-json"])
def test_jose_is_never_handed_key_material_it_could_use_as_a_secret(
    verifier: TokenVerifier, provider: FakeProvider, rsa_key: RsaKey, form: str
) -> None:
    token = hmac_token(
        {"alg": "HS256", "kid": KID}, provider.claims(), b"x", hashlib.sha256
    )
    material: Any = public_key_forms(rsa_key)[form]
    for key in (material, material.decode("latin-1"), rsa_key.public_jwk()):
        with pytest.raises(TypeError):
            verifier.decode(token, key, audience=AUDIENCE)


# --- alg: none -----------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("kid", [KID, None])
@pytest.mark.parametrize(
    "signature", ["absent", "empty", "garbage", "real RS256"], ids=str
)
async def test_alg_none_is_refused(
    verifier: TokenVerifier,
    provider: FakeProvider,
    rsa_key: RsaKey,
    alg: str,
    kid: str | None,
    signature: str,
) -> None:
    header = {"alg": alg, "typ": "JWT"} | ({"kid": kid} if kid else {})
    claims = provider.claims()
    unsigned = forge(header, claims).rstrip(".")  # header.payload
    token = {
        "absent": unsigned,  # two segments
        "empty": unsigned + ".",
        "garbage": unsigned + "." + b64url(b"not a signature"),
        # the provider's valid signature over other bytes, pasted in
        "real RS256": unsigned + "." + sign(rsa_key, claims).split(".")[2],
    }[signature]

    await refused(verifier, token)
    if token.count(".") == 2:
        decode_alone(verifier, rsa_key, token)


# --- headers that point at or embed a key -----------------------------------------


@pytest.mark.parametrize("kid", [KID, "attacker-kid"])
@pytest.mark.parametrize("header", ["jku", "x5u"])
async def test_a_key_url_header_is_refused_and_never_fetched(
    verifier: TokenVerifier,
    attacker_key: RsaKey,
    provider: FakeProvider,
    header: str,
    kid: str,
) -> None:
    attacker = RsaKey(attacker_key.private, kid)
    token = sign(attacker, provider.claims(), **{header: ATTACKER_URL})

    assert header in await refused(verifier, token)
    assert provider.hits(ATTACKER_URL) == 0


@pytest.mark.parametrize("kid", [KID, "attacker-kid"])
async def test_an_embedded_jwk_header_is_refused(
    verifier: TokenVerifier, attacker_key: RsaKey, provider: FakeProvider, kid: str
) -> None:
    attacker = RsaKey(attacker_key.private, kid)
    token = sign(attacker, provider.claims(), jwk=attacker.public_jwk())

    assert "jwk" in await refused(verifier, token)


@pytest.mark.parametrize("header", ["jku", "x5u", "jwk", "x5c"])
def test_past_the_header_check_only_the_providers_key_counts(
    verifier: TokenVerifier,
    attacker_key: RsaKey,
    rsa_key: RsaKey,
    provider: FakeProvider,
    header: str,
) -> None:
    """Layer 2 alone ignores the key the header offers: the attacker's own
    signature fails against the provider's key."""
    offered: Any = {
        "jku": ATTACKER_URL,
        "x5u": ATTACKER_URL,
        "jwk": attacker_key.public_jwk(),
        "x5c": ["MIIB"],
    }[header]
    token = sign(attacker_key, provider.claims(), **{header: offered})

    decode_alone(verifier, rsa_key, token)


@pytest.mark.parametrize("header", ["x5c", "crit", "b64", "enc", "zip"])
async def test_other_key_or_processing_headers_are_refused(
    verifier: TokenVerifier, rsa_key: RsaKey, provider: FakeProvider, header: str
) -> None:
    value: Any = {"x5c": ["MIIB"], "crit": ["exp"], "b64": False}.get(header, "x")
    token = sign(rsa_key, provider.claims(), **{header: value})

    assert header in await refused(verifier, token)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": KID, "jku": ATTACKER_URL},
        {"alg": "HS256", "kid": KID},
        {"alg": "none", "kid": KID},
        {"alg": "RS512", "kid": KID},
        {"alg": "PS256", "kid": KID},
        {"alg": "ES256", "kid": KID},
        {"alg": ["RS256"], "kid": KID},
        {"alg": "RS256", "kid": ""},
        {"alg": "RS256", "kid": 7},
    ],
    ids=str,
)
def test_the_header_check_refuses_every_other_shape(header: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        inspect_header(forge(header, {"sub": "x"}, b"sig"))
