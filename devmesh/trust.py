"""Per-machine trust material, kept in the cache (never in the repository).

~/.cache/daprshop/trust/ holds:
- `ca/`: Sentry's issuer credentials (ca.crt, issuer.crt, issuer.key). Sentry
  generates them the first time it starts with the folder empty; every
  sidecar trusts ca.crt (DAPR_TRUST_ANCHORS).
- `sentry-jwt.key` and `jwks.json`: the key the launcher signs each sidecar's
  Sentry token with, and its public half, which Sentry's `jwks` validator reads.
- `api-tokens.json`: per app, the token its sidecar's API wants
  (DAPR_API_TOKEN) and the token its sidecar presents to the app
  (APP_API_TOKEN). No two apps share one.

`python -m devmesh rotate-ca` forgets the CA and the JWT key (and, with
`--tokens`, the API tokens); the next start makes new ones. Stop running
meshes first: a sidecar holding the old anchor cannot renew its certificate.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk, jwt

from devmesh.access import NAMESPACE, TRUST_DOMAIN
from devmesh.paths import CACHE
from devmesh.ports import APP_NAMES

TRUST = CACHE / "trust"
CA_DIR = TRUST / "ca"
JWT_KEY = TRUST / "sentry-jwt.key"
JWKS = TRUST / "jwks.json"
API_TOKENS = TRUST / "api-tokens.json"
KEY_ID = "devmesh-sentry-token"
# Sentry's own SPIFFE ID (its default trust domain `localhost`, namespace
# `default`): the audience its jwks validator requires.
SENTRY_AUDIENCE = f"spiffe://localhost/ns/{NAMESPACE}/dapr-sentry"
# A sidecar reads its token again at each certificate renewal (about every
# 12 h with a 24 h certificate), so the token outlives a long dev session.
SENTRY_TOKEN_TTL = 7 * 24 * 3600


@dataclass(frozen=True)
class AppTokens:
    dapr: str  # the app presents it to its sidecar (DAPR_API_TOKEN)
    app: str  # the sidecar presents it to the app (APP_API_TOKEN)


def _private_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o600)
    tmp.rename(path)


def api_tokens() -> dict[str, AppTokens]:
    """Every app's two tokens, made once per machine."""
    stored: dict[str, dict[str, str]] = (
        json.loads(API_TOKENS.read_text()) if API_TOKENS.exists() else {}
    )
    missing = set(APP_NAMES) - set(stored)
    if missing:
        # Only add: another checkout (a branch with other apps) shares this
        # file, and a running sidecar keeps the token it started with.
        for app in sorted(missing):
            stored[app] = {
                "dapr": secrets.token_urlsafe(32),
                "app": secrets.token_urlsafe(32),
            }
        _private_write(API_TOKENS, json.dumps(stored, indent=1))
    return {app: AppTokens(**pair) for app, pair in stored.items()}


def jwks_path() -> Path:
    """The public key set Sentry validates sidecar tokens with (made once)."""
    if not (JWT_KEY.exists() and JWKS.exists()):
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode()
        )
        public = jwk.construct(public_pem, "ES256").to_dict()
        public.update(kid=KEY_ID, use="sig", alg="ES256")
        _private_write(JWT_KEY, pem)
        _private_write(JWKS, json.dumps({"keys": [public]}))
    return JWKS


def spiffe_id(app: str) -> str:
    return f"spiffe://{TRUST_DOMAIN}/ns/{NAMESPACE}/{app}"


def mint_sentry_token(app: str, ttl: int = SENTRY_TOKEN_TTL) -> str:
    """A JWT that lets `app`'s sidecar, and only it, get a certificate."""
    jwks_path()
    now = int(time.time())
    claims = {
        "sub": spiffe_id(app),
        "aud": SENTRY_AUDIENCE,
        "iat": now,
        "nbf": now - 60,
        "exp": now + ttl,
    }
    token: str = jwt.encode(
        claims, JWT_KEY.read_text(), algorithm="ES256", headers={"kid": KEY_ID}
    )
    return token


def write_sentry_token(app: str, folder: Path) -> Path:
    """Mint `app`'s token into a private file (DAPR_SENTRY_TOKEN_FILE)."""
    path = folder / f"{app}.jwt"
    _private_write(path, mint_sentry_token(app))
    return path


def trust_anchors() -> str:
    """The CA certificate every sidecar trusts (PEM); Sentry must have made it."""
    path = CA_DIR / "ca.crt"
    if not path.exists():
        raise SystemExit(f"{path} is missing: start the `sentry` resource first")
    return path.read_text()


def rotate(tokens: bool = False) -> list[Path]:
    """Forget the CA and the JWT key (and the API tokens): new ones next start."""
    gone = [p for p in (CA_DIR, JWT_KEY, JWKS) if p.exists()]
    if tokens and API_TOKENS.exists():
        gone.append(API_TOKENS)
    for path in gone:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return gone
