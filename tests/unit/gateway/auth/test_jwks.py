"""Discovery and the JWKS cache: where keys come from and how often."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gateway.auth.jwks import (
    JwksCache,
    OidcDiscovery,
    ProviderError,
    parse_jwks,
    rsa_verification_key,
)
from tests.unit.gateway.auth.fakes import ISSUER, JWKS_URI, KID, FakeProvider, RsaKey

pytestmark = pytest.mark.anyio

MakeCache = Callable[..., tuple[JwksCache, list[float]]]
DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"


async def test_keys_are_fetched_from_the_discovered_jwks_uri_with_timeouts(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, _ = make_cache()

    assert await cache.get(KID) is not None

    assert [str(r.url) for r in provider.requests] == [DISCOVERY_URL, JWKS_URI]
    for request in provider.requests:
        assert request.extensions["timeout"] == httpx.Timeout(2.0).as_dict()


async def test_known_keys_are_served_from_memory(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, _ = make_cache()
    for _ in range(5):
        await cache.get(KID)
    assert provider.hits(JWKS_URI) == 1
    assert provider.hits(DISCOVERY_URL) == 1


async def test_unknown_kids_refresh_at_most_once_per_cooldown(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, clock = make_cache(60.0)
    await cache.get(KID)

    for n in range(10):  # the keys were just loaded
        assert await cache.get(f"made-up-{n}") is None
    assert provider.hits(JWKS_URI) == 1

    clock[0] += 60
    for n in range(10):
        assert await cache.get(f"made-up-{n}") is None
    assert provider.hits(JWKS_URI) == 2

    clock[0] += 59
    assert await cache.get("made-up-again") is None
    assert provider.hits(JWKS_URI) == 2

    clock[0] += 1
    assert await cache.get("made-up-again") is None
    assert provider.hits(JWKS_URI) == 3


async def test_a_rotated_key_is_picked_up_on_refresh(
    make_cache: MakeCache, provider: FakeProvider, attacker_key: RsaKey
) -> None:
    cache, clock = make_cache(60.0)
    await cache.get(KID)
    rotated = RsaKey(attacker_key.private, "key-2")
    provider.jwks.append(rotated.public_jwk())
    clock[0] += 60

    assert await cache.get("key-2") is not None
    assert await cache.get(KID) is not None


async def test_a_failed_refresh_keeps_the_keys_we_have(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, clock = make_cache(60.0)
    await cache.get(KID)
    provider.down = True
    clock[0] += 60

    assert await cache.get("unknown") is None
    assert await cache.get(KID) is not None


async def test_an_unreachable_provider_is_a_provider_error(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, clock = make_cache(60.0)
    provider.down = True
    with pytest.raises(ProviderError):
        await cache.get(KID)
    with pytest.raises(ProviderError):  # within the retry delay: no new request
        await cache.get(KID)
    assert len(provider.requests) == 1

    provider.down = False
    clock[0] += 5
    assert await cache.get(KID) is not None


async def test_discovery_must_name_exactly_our_issuer(
    http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    discovery = OidcDiscovery(http, issuer=ISSUER + "/", timeout=httpx.Timeout(1.0))
    with pytest.raises(ProviderError, match="issuer"):
        await discovery.get()


async def test_discovery_without_a_jwks_uri_is_refused(rsa_key: RsaKey) -> None:
    provider = FakeProvider(rsa_key)
    doc = provider.discovery()
    del doc["jwks_uri"]
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=doc))
    )
    discovery = OidcDiscovery(http, issuer=ISSUER, timeout=httpx.Timeout(1.0))
    with pytest.raises(ProviderError, match="jwks_uri"):
        await discovery.get()


def test_only_rsa_signing_keys_are_kept(rsa_key: RsaKey) -> None:
    good = rsa_key.public_jwk()
    keys = parse_jwks(
        {
            "keys": [
                good,
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
                {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
                rsa_key.public_jwk(kid="enc", use="enc"),
                rsa_key.public_jwk(kid="ps", alg="PS256"),
                {"kty": "RSA", "kid": "broken", "n": "", "e": "AQAB"},
                {"kty": "RSA", "n": good["n"], "e": good["e"]},  # no kid
                "not a dict",
            ]
        }
    )
    assert set(keys) == {KID}


def test_a_kid_listed_twice_is_not_trusted(
    rsa_key: RsaKey, attacker_key: RsaKey
) -> None:
    keys = parse_jwks({"keys": [rsa_key.public_jwk(), attacker_key.public_jwk()]})
    assert keys == {}


def test_short_rsa_keys_are_refused(rsa_key: RsaKey) -> None:
    jwk = rsa_key.public_jwk()
    jwk["n"] = jwk["n"][:100]  # about 600 bits
    with pytest.raises(ValueError, match="shorter"):
        rsa_verification_key(jwk)


def test_a_jwk_with_private_parts_still_yields_a_public_key(rsa_key: RsaKey) -> None:
    key = rsa_verification_key(rsa_key.public_jwk(d="AQAB", p="AQAB", q="AQAB"))
    assert key.is_public()


async def test_a_key_removed_from_the_jwks_stops_validating_within_max_age(
    make_cache: MakeCache, provider: FakeProvider, attacker_key: RsaKey
) -> None:
    cache, clock = make_cache(60.0, 300.0)
    assert await cache.get(KID) is not None
    rotated = RsaKey(attacker_key.private, "key-2")
    provider.jwks = [rotated.public_jwk()]  # the provider drops key-1

    clock[0] += 299
    assert await cache.get(KID) is not None  # still within the cache lifetime
    assert provider.hits(JWKS_URI) == 1

    clock[0] += 1
    assert await cache.get(KID) is None
    assert await cache.get("key-2") is not None
    assert provider.hits(JWKS_URI) == 2


async def test_fresh_keys_are_not_fetched_again_before_max_age(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, clock = make_cache(60.0, 300.0)
    await cache.get(KID)
    clock[0] += 300
    await cache.get(KID)
    for _ in range(5):
        clock[0] += 50
        await cache.get(KID)

    assert provider.hits(JWKS_URI) == 2  # at 0 and at 300, then fresh until 600


async def test_stale_keys_still_serve_while_the_provider_is_down(
    make_cache: MakeCache, provider: FakeProvider
) -> None:
    cache, clock = make_cache(60.0, 300.0)
    await cache.get(KID)
    provider.down = True
    clock[0] += 300

    assert await cache.get(KID) is not None  # refresh failed: keep what we have
    assert await cache.get(KID) is not None  # and no new attempt within cooldown
    assert provider.hits(JWKS_URI) == 2  # the load, then one failed refresh

    provider.down = False
    provider.jwks = []
    clock[0] += 60
    assert await cache.get(KID) is None  # the next successful refresh drops it
