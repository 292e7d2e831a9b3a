"""Access-token verification: the good token passes, every forgery fails.
(Algorithm confusion has its own file: test_confusion.py.)"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth import InvalidToken, Principal, TokenVerifier
from gateway.auth.jwks import JwksCache
from tests.unit.gateway.auth.fakes import (
    AUDIENCE,
    CLIENT_ID,
    ISSUER,
    KID,
    FakeProvider,
    RsaKey,
    b64url,
    forge,
    sign,
)

pytestmark = pytest.mark.anyio


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
        ({"iat": None}, "iat"),
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


async def test_an_id_token_is_not_an_api_bearer(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    """What the provider's token endpoint returns as id_token: audience = the
    client id, with nonce and azp. Valid as an ID token, refused as a bearer."""
    claims = provider.claims(aud=CLIENT_ID, azp=CLIENT_ID, nonce="n-1")
    claims.pop("permissions")
    id_token = sign(provider.key, claims)

    assert "audience" in await rejected(verifier, id_token)
    assert await verifier.verify_id_token(
        id_token, client_id=CLIENT_ID, nonce="n-1", access_token=None
    )


async def test_a_token_for_another_client_of_the_same_issuer_is_refused(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    token = provider.token(aud=["another-client", "https://idp.test/userinfo"])
    assert "audience" in await rejected(verifier, token)


async def test_an_id_token_without_iat_is_refused_too(
    verifier: TokenVerifier, provider: FakeProvider
) -> None:
    claims = provider.claims(aud=CLIENT_ID, nonce="n-1", iat=None)
    with pytest.raises(InvalidToken, match="iat"):
        await verifier.verify_id_token(
            sign(provider.key, claims),
            client_id=CLIENT_ID,
            nonce="n-1",
            access_token=None,
        )


async def test_a_token_signed_with_a_removed_key_fails_after_the_cache_lifetime(
    make_cache: Callable[..., tuple[JwksCache, list[float]]],
    provider: FakeProvider,
    attacker_key: RsaKey,
) -> None:
    cache, clock = make_cache(60.0, 300.0)
    verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
    token = provider.token()
    assert await verifier.verify_access_token(token)

    provider.jwks = [RsaKey(attacker_key.private, "key-2").public_jwk()]
    clock[0] += 300

    assert "unknown signing key" in await rejected(verifier, token)
