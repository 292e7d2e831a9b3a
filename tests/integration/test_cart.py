"""The cart on the real mesh: gateway -> cart (through both sidecars, mTLS,
access control) -> the `carts` state store, and cart -> product for stock.
Concurrent changes are never lost (ETags), and a cart carries its TTL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from devmesh.tokens import get_token
from tests.e2e.graphql import create_product, gql
from tests.integration import backends

pytestmark = [pytest.mark.integration, pytest.mark.lite]

RESULT = """__typename
  ... on Cart { lines { productId quantity } subtotal { amount } }
  ... on OutOfStock { productId requested available }
  ... on ValidationError { fields { field message } }
  ... on NotFound { id }
  ... on Conflict { message }"""
ADD = (
    "mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) {"
    + RESULT
    + "} }"
)
SET = (
    "mutation($p: ID!, $q: Int!) { setCartQuantity(productId: $p, quantity: $q) {"
    + RESULT
    + "} }"
)


@pytest.fixture(scope="module")
def tokens(shared_env: dict[str, str]) -> dict[str, str]:
    issuer = shared_env["OIDC_ISSUER"]
    tag = uuid.uuid4().hex[:6]
    return {
        "alice": get_token(f"cart-alice-{tag}", issuer_url=issuer),
        "bob": get_token(f"cart-bob-{tag}", issuer_url=issuer),
        "admin": get_token(f"cart-admin-{tag}", admin=True, issuer_url=issuer),
    }


def add(token: str, product: str, quantity: int) -> dict[str, Any]:
    result: dict[str, Any] = gql(ADD, {"p": product, "q": quantity}, token)["addToCart"]
    return result


def test_a_cart_is_kept_per_user_and_refuses_bad_input(
    tokens: dict[str, str],
) -> None:
    product = create_product(tokens["admin"], stock=4)["id"]

    assert add(tokens["alice"], product, 1)["lines"] == [
        {"productId": product, "quantity": 1}
    ]
    assert add(tokens["alice"], product, 2)["lines"][0]["quantity"] == 3
    assert add(tokens["alice"], product, 2) == {
        "__typename": "OutOfStock",
        "productId": product,
        "requested": 5,
        "available": 4,
    }
    for quantity in (0, -1, 11):
        refused = gql(SET, {"p": product, "q": quantity}, tokens["alice"])
        assert refused["setCartQuantity"]["__typename"] == "ValidationError"
        assert refused["setCartQuantity"]["fields"][0]["field"] == "quantity"
    assert add(tokens["alice"], "no-such-product", 1) == {
        "__typename": "NotFound",
        "id": "no-such-product",
    }
    cart = gql(
        "{ cart { lines { quantity } subtotal { amount } } }", token=tokens["bob"]
    )
    assert cart["cart"] == {"lines": [], "subtotal": None}
    mine = gql(
        "{ cart { lines { quantity } subtotal { amount } } }", token=tokens["alice"]
    )
    assert mine["cart"] == {"lines": [{"quantity": 3}], "subtotal": {"amount": 7500}}


def test_concurrent_adds_are_never_lost(
    tokens: dict[str, str], shared_env: dict[str, str]
) -> None:
    product = create_product(tokens["admin"], stock=100)["id"]
    token = get_token(
        f"cart-busy-{uuid.uuid4().hex[:6]}", issuer_url=shared_env["OIDC_ISSUER"]
    )
    gql("{ me { id } }", token=token)  # the user exists before the race

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: add(token, product, 1), range(8)))

    accepted = sum(1 for r in results if r["__typename"] == "Cart")
    assert accepted >= 1
    assert {r["__typename"] for r in results} <= {"Cart", "Conflict"}
    cart = gql("{ cart { lines { quantity } } }", token=token)["cart"]
    assert cart["lines"] == [{"quantity": accepted}]


def test_a_cart_expires_when_left_alone(tokens: dict[str, str]) -> None:
    product = create_product(tokens["admin"], stock=5)["id"]
    add(tokens["bob"], product, 1)
    user_id = gql("{ me { id } }", token=tokens["bob"])["me"]["id"]

    client = backends.redis_client()
    ttl = client.ttl(f"carts||cart:{user_id}")

    assert 0 < ttl <= 14 * 86400
