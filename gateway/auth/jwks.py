"""The provider's metadata (OIDC discovery) and its token-signing keys (JWKS).

Only RSA signing keys are ever handed out, each built here from its modulus and
exponent as an RSA *public* key, so nothing from the JWKS or a token can make
python-jose treat key material as something else (an HMAC secret, say).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
from jose.backends.cryptography_backend import CryptographyRSAKey

log = logging.getLogger(__name__)

SIGNING_ALGORITHM = "RS256"
MIN_RSA_BITS = 2048
_FIRST_LOAD_RETRY = 5.0  # seconds


class ProviderError(Exception):
    """The identity provider could not be reached or answered something unusable."""


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of `/.well-known/openid-configuration` the gateway uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


async def get_json(
    http: httpx.AsyncClient, url: str, timeout: httpx.Timeout
) -> dict[str, Any]:
    """GET a JSON object; any failure becomes a ProviderError."""
    try:
        response = await http.get(
            url, timeout=timeout, headers={"Accept": "application/json"}
        )
    except httpx.HTTPError as err:
        raise ProviderError(f"GET {url} failed: {err!r}") from err
    if response.status_code != 200:
        raise ProviderError(f"GET {url} answered {response.status_code}")
    try:
        body = response.json()
    except ValueError as err:
        raise ProviderError(f"GET {url} answered invalid JSON") from err
    if not isinstance(body, dict):
        raise ProviderError(f"GET {url} answered JSON that is not an object")
    return body


def _endpoint(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise ProviderError(f"discovery document has no usable {name}")
    return value


class OidcDiscovery:
    """Fetches the issuer's discovery document once, then serves it from memory.

    Failures are not cached: the next caller tries again.
    """

    def __init__(
        self, http: httpx.AsyncClient, *, issuer: str, timeout: httpx.Timeout
    ) -> None:
        self._http = http
        self._issuer = issuer
        self._timeout = timeout
        self._metadata: ProviderMetadata | None = None
        self._lock = asyncio.Lock()

    @property
    def url(self) -> str:
        return self._issuer.rstrip("/") + "/.well-known/openid-configuration"

    async def get(self) -> ProviderMetadata:
        if self._metadata is not None:
            return self._metadata
        async with self._lock:
            if self._metadata is None:
                self._metadata = await self._fetch()
        return self._metadata

    async def _fetch(self) -> ProviderMetadata:
        doc = await get_json(self._http, self.url, self._timeout)
        # OIDC Discovery 1.0 §4.3: the issuer must be exactly the one we asked.
        if doc.get("issuer") != self._issuer:
            raise ProviderError(
                f"discovery issuer {doc.get('issuer')!r} != {self._issuer!r}"
            )
        end_session = doc.get("end_session_endpoint")
        return ProviderMetadata(
            issuer=self._issuer,
            authorization_endpoint=_endpoint(doc, "authorization_endpoint"),
            token_endpoint=_endpoint(doc, "token_endpoint"),
            jwks_uri=_endpoint(doc, "jwks_uri"),
            end_session_endpoint=(
                None if end_session is None else _endpoint(doc, "end_session_endpoint")
            ),
        )


def _b64url_uint(value: Any) -> int:
    if not isinstance(value, str) or not value:
        raise ValueError("not a base64url string")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return int.from_bytes(raw, "big")


def rsa_verification_key(jwk: dict[str, Any]) -> CryptographyRSAKey:
    """Build an RS256 verification key from one JWK, or raise ValueError.

    Only `n` and `e` are read, so a JWK that also carries private parts still
    yields a public key.
    """
    if jwk.get("kty") != "RSA":
        raise ValueError("not an RSA key")
    if jwk.get("use", "sig") != "sig":
        raise ValueError("not a signing key")
    if jwk.get("alg", SIGNING_ALGORITHM) != SIGNING_ALGORITHM:
        raise ValueError(f"key is for {jwk.get('alg')!r}, not {SIGNING_ALGORITHM}")
    public_key = RSAPublicNumbers(
        e=_b64url_uint(jwk.get("e")), n=_b64url_uint(jwk.get("n"))
    ).public_key()
    if public_key.key_size < MIN_RSA_BITS:
        raise ValueError(f"RSA key shorter than {MIN_RSA_BITS} bits")
    return CryptographyRSAKey(public_key, SIGNING_ALGORITHM)


def parse_jwks(body: dict[str, Any]) -> dict[str, CryptographyRSAKey]:
    """kid -> key for the usable RSA signing keys; ambiguous kids are dropped."""
    entries = body.get("keys")
    if not isinstance(entries, list):
        raise ProviderError("JWKS has no 'keys' list")
    keys: dict[str, CryptographyRSAKey] = {}
    ambiguous: set[str] = set()
    for entry in entries:
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not isinstance(kid, str) or not kid:
            continue
        try:
            key = rsa_verification_key(entry)
        except ValueError as err:
            log.debug("ignoring JWK %r: %s", kid, err)
            continue
        if kid in keys:
            ambiguous.add(kid)
        keys[kid] = key
    for kid in ambiguous:
        log.warning("JWKS lists kid %r more than once; not trusting it", kid)
        del keys[kid]
    return keys


class JwksCache:
    """The issuer's signing keys by kid, refreshed when an unknown kid shows up
    and before use once the key set is older than `max_age` seconds (so a key
    the provider removed stops validating).

    A refresh (successful or not) happens at most once per `refresh_cooldown`
    seconds, so a stream of tokens with made-up kids cannot hammer the provider.
    A failed refresh keeps the keys we have: we cannot tell a removed key from
    an unreachable provider, and refusing everyone would be an outage.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        discovery: OidcDiscovery,
        *,
        refresh_cooldown: float,
        timeout: httpx.Timeout,
        max_age: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._discovery = discovery
        self._cooldown = refresh_cooldown
        self._max_age = max_age
        self._timeout = timeout
        self._clock = clock
        self._keys: dict[str, CryptographyRSAKey] = {}
        self._loaded = False
        self._loaded_at = 0.0
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> CryptographyRSAKey | None:
        """The key for `kid`, or None if the issuer does not publish it.

        Raises ProviderError while no key set has been loaded yet.
        """
        key = self._keys.get(kid)
        if key is not None and not self._stale():
            return key
        async with self._lock:
            key = self._keys.get(kid)
            if (key is None or self._stale()) and self._may_refresh():
                await self._refresh()
                key = self._keys.get(kid)
            elif key is None and not self._loaded:
                raise ProviderError("the issuer's signing keys are not loaded yet")
        return key

    def _stale(self) -> bool:
        return self._loaded and self._clock() - self._loaded_at >= self._max_age

    def _may_refresh(self) -> bool:
        if self._last_attempt is None:
            return True
        # Until a first load succeeds, retry sooner than the cooldown.
        wait = (
            self._cooldown if self._loaded else min(self._cooldown, _FIRST_LOAD_RETRY)
        )
        return self._clock() - self._last_attempt >= wait

    async def _refresh(self) -> None:
        self._last_attempt = self._clock()
        try:
            metadata = await self._discovery.get()
            body = await get_json(self._http, metadata.jwks_uri, self._timeout)
            keys = parse_jwks(body)
        except ProviderError:
            if not self._loaded:
                raise
            log.warning("JWKS refresh failed; keeping the keys we have", exc_info=True)
            return
        self._keys = keys
        self._loaded = True
        self._loaded_at = self._last_attempt
        log.info("loaded %d signing key(s) from the issuer's JWKS", len(keys))
