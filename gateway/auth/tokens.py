"""Verification of the provider's RS256 JWTs (access tokens and ID tokens).

Two layers, so that neither python-jose's known algorithm-confusion problems
nor a hostile header can decide how a token is checked:

1. `inspect_header` reads the header ourselves and rejects anything that is not
   a plain three-part JWS with `alg` RS256 and a `kid`, or that names or embeds
   a key (`jku`, `x5u`, `jwk`, `x5c`) or asks for extensions (`crit`, ...).
2. The key is looked up by `kid` alone in the issuer's JWKS and is always an
   RSA public key object built by `jwks.rsa_verification_key`; jose gets that
   object and `algorithms=["RS256"]`, never a string, a dict or the header's alg.

python-jose stays only as long as tests/unit/gateway/auth/test_confusion.py
(each layer alone) and tests/security/test_edge_tokens.py (the real gateway)
show every algorithm-confusion form failing.

Both kinds of token must carry `iss`, `sub`, `aud`, `exp` and `iat`. An API
bearer must list our API audience; an ID token (audience: the client id) does
not, and AuthSettings refuses a configuration where the two are the same. The
audience is the one check that tells them apart: Auth0 and the local provider
both issue the ID token to the client alone. (mock-oauth2-server by itself
copies its claim mapping, `aud` included, into both tokens; the local mesh runs
it through devmesh/oidc/LocalProvider.java, which gives the ID token back its
client audience. tests/security/test_id_token.py proves the refusal with the
tokens of a real login.)
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from jose import jwt
from jose.backends.cryptography_backend import CryptographyRSAKey
from jose.exceptions import JOSEError

from gateway.auth.jwks import SIGNING_ALGORITHM, JwksCache

log = logging.getLogger(__name__)

ALGORITHMS = [SIGNING_ALGORITHM]
MAX_TOKEN_LENGTH = 16_384
# Headers that point at or embed a key, extend processing, or belong to JWE.
FORBIDDEN_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "crit", "b64", "enc", "zip"})
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")


class InvalidToken(Exception):
    """The token must not be trusted; `description` is safe to show the caller."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _b64url_json(segment: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError) as err:
        raise InvalidToken("malformed token") from err


def inspect_header(token: str) -> dict[str, Any]:
    """The token's header if its shape is acceptable; raises InvalidToken."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed token")
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidToken("not a signed JWT (expected 3 segments)")
    if not all(_SEGMENT.match(segment) for segment in segments):
        raise InvalidToken("malformed token")
    header = _b64url_json(segments[0])
    if not isinstance(header, dict):
        raise InvalidToken("malformed token header")
    if header.get("alg") != SIGNING_ALGORITHM:
        raise InvalidToken(f"algorithm not allowed (only {SIGNING_ALGORITHM})")
    present = FORBIDDEN_HEADERS.intersection(header)
    if present:
        raise InvalidToken(
            f"header parameter not allowed: {', '.join(sorted(present))}"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("token has no kid")
    return header


class TokenVerifier:
    """Checks tokens of one issuer against its JWKS."""

    def __init__(
        self,
        keys: JwksCache,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._clock = clock

    async def verify_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid access token for our API; raises InvalidToken.

        May raise jwks.ProviderError when the issuer's keys cannot be loaded.
        """
        return await self._verify(token, audience=self._audience)

    async def verify_id_token(
        self, token: str, *, client_id: str, nonce: str, access_token: str | None
    ) -> dict[str, Any]:
        """Claims of a valid ID token issued to `client_id` for this login."""
        claims = await self._verify(
            token, audience=client_id, access_token=access_token
        )
        token_nonce = claims.get("nonce")
        if not isinstance(token_nonce, str) or not hmac.compare_digest(
            token_nonce.encode(), nonce.encode()
        ):
            raise InvalidToken("ID token nonce does not match this login")
        azp = claims.get("azp")
        if azp is not None and azp != client_id:
            raise InvalidToken("ID token was issued to another client")
        return claims

    async def _verify(
        self, token: str, *, audience: str, access_token: str | None = None
    ) -> dict[str, Any]:
        header = inspect_header(token)
        key = await self._keys.get(header["kid"])
        if key is None:
            raise InvalidToken("unknown signing key")
        claims = self.decode(token, key, audience=audience, access_token=access_token)
        self._check_times(claims)
        return claims

    def decode(
        self,
        token: str,
        key: CryptographyRSAKey,
        *,
        audience: str,
        access_token: str | None = None,
    ) -> dict[str, Any]:
        """Signature and registered claims, by jose with an RSA key and RS256 only."""
        if not isinstance(key, CryptographyRSAKey):  # never a str, bytes or dict
            raise TypeError("verification key must be an RSA key object")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=audience,
                issuer=self._issuer,
                access_token=access_token,
                options={
                    "require_aud": True,
                    "require_exp": True,
                    "require_iat": True,
                    "require_iss": True,
                    "require_sub": True,
                    "leeway": self._leeway,
                },
            )
        except JOSEError as err:
            raise InvalidToken(_describe(err)) from err
        if not isinstance(claims, dict):
            raise InvalidToken("malformed token claims")
        # jose compares these too; repeated so a jose regression cannot open a hole.
        if claims.get("iss") != self._issuer:
            raise InvalidToken("wrong issuer")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or audience not in audiences:
            raise InvalidToken("wrong audience")
        return claims

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        if "iat" not in claims:  # jose requires it too (require_iat)
            raise InvalidToken("token has no iat")
        for name in ("exp", "nbf", "iat"):
            if name in claims and (
                isinstance(claims[name], bool)
                or not isinstance(claims[name], int | float)
            ):
                raise InvalidToken(f"{name} is not a number")
        if claims["exp"] < now - self._leeway:
            raise InvalidToken("token has expired")
        if "nbf" in claims and claims["nbf"] > now + self._leeway:
            raise InvalidToken("token is not valid yet")
        # jose only checks that iat is an integer; a token from the future is not ok.
        if claims["iat"] > now + self._leeway:
            raise InvalidToken("token was issued in the future")


def _describe(err: JOSEError) -> str:
    text = str(err).lower()
    for needle, description in (
        ("expired", "token has expired"),
        ("not yet valid", "token is not valid yet"),
        ("audience", "wrong audience"),
        ("issuer", "wrong issuer"),
        ("signature", "signature verification failed"),
        ("missing required key", str(err)),
    ):
        if needle in text:
            return description
    log.debug("token rejected by jose: %s", err)
    return "invalid token"
