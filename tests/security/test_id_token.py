"""An ID token is not an API bearer (issue 12, point 7), against the running
gateway and the local provider, with the tokens of a real login: the provider
issues the ID token to the client (aud = the client id, as Auth0 does; see
devmesh/oidc/LocalProvider.java) and the access token to the API, and the
gateway takes only the latter as a bearer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from jose import jwt

from tests.security.edge import Gateway

pytestmark = [pytest.mark.security, pytest.mark.lite]

API_AUDIENCE = "daprshop-api"
CLIENT_ID = "daprshop-web"


@pytest.fixture(scope="module")
def tokens(gateway: Gateway) -> dict[str, Any]:
    return gateway.login(f"idris-{uuid.uuid4().hex[:6]}")


def audiences(token: str) -> list[str]:
    aud = jwt.get_unverified_claims(token)["aud"]
    return [aud] if isinstance(aud, str) else list(aud)


def test_the_login_hands_out_an_id_token_for_the_client_only(
    tokens: dict[str, Any],
) -> None:
    assert audiences(tokens["id_token"]) == [CLIENT_ID]
    assert API_AUDIENCE in audiences(tokens["access_token"])
    # This login's nonce: the gateway checked it at the callback.
    assert jwt.get_unverified_claims(tokens["id_token"])["nonce"]


def test_the_id_token_of_a_real_login_is_refused_as_a_bearer(
    gateway: Gateway, tokens: dict[str, Any]
) -> None:
    assert gateway.refuses(tokens["id_token"]) == "wrong audience"


def test_the_access_token_of_the_same_login_is_accepted(
    gateway: Gateway, tokens: dict[str, Any]
) -> None:
    response = gateway.call(tokens["access_token"])

    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["id"]
