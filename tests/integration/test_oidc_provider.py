"""The local OIDC provider (mock-oauth2-server, devmesh/oidc/config.json) issues
tokens that the gateway's verifier accepts, with the claims the gateway reads."""

from __future__ import annotations

import httpx
import pytest
from jose import jwt

from devmesh.tokens import get_token
from gateway.auth import AuthSettings, Principal, build_auth_services

pytestmark = [pytest.mark.integration, pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def verified_principal(issuer: str, token: str) -> Principal:
    settings = AuthSettings(
        environment="dev", oidc_issuer=issuer, oidc_audience="daprshop-api"
    )
    async with httpx.AsyncClient() as http:
        verifier = build_auth_services(http, settings).verifier
        return Principal.from_claims(await verifier.verify_access_token(token))


async def test_a_user_token_verifies_without_permissions(oidc_issuer: str) -> None:
    principal = await verified_principal(
        oidc_issuer, get_token("alice", issuer_url=oidc_issuer)
    )

    assert principal.subject == "alice"
    assert principal.email == "alice@daprshop.test"
    assert principal.name == "alice"
    assert principal.permissions == frozenset()
    assert principal.raw_claims["iss"] == oidc_issuer


async def test_an_admin_token_carries_the_write_permissions(oidc_issuer: str) -> None:
    token = get_token("carol", admin=True, issuer_url=oidc_issuer)

    principal = await verified_principal(oidc_issuer, token)

    assert principal.subject == "carol"
    assert principal.permissions == frozenset({"products:write", "orders:write"})


async def test_tokens_are_rs256_with_the_issuers_kid(oidc_issuer: str) -> None:
    header = jwt.get_unverified_header(get_token("dave", issuer_url=oidc_issuer))
    assert header["alg"] == "RS256"
    assert header["kid"]
