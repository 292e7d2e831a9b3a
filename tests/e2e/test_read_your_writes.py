"""Read your own writes through the gateway: every read right after a mutation
that moved stock sees it, in `product` and in `products`, though both were
cached before and the product event may not have arrived yet."""

from __future__ import annotations

import uuid

import pytest

from devmesh.tokens import get_token
from tests.e2e.graphql import create_product, gql, place_order

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tokens(shared_env: dict[str, str]) -> dict[str, str]:
    issuer = shared_env["OIDC_ISSUER"]
    tag = uuid.uuid4().hex[:6]
    return {
        "alice": get_token(f"alice-{tag}", issuer_url=issuer),
        "admin": get_token(f"admin-{tag}", admin=True, issuer_url=issuer),
    }


def seen(product_id: str, name: str) -> tuple[int, int]:
    """The stock `product` and `products` answer (both cacheable)."""
    one = gql("query($id: ID!) { product(id: $id) { stock } }", {"id": product_id})
    page = gql(
        "query($f: ProductFilter) { products(first: 5, filter: $f) {"
        " edges { node { id stock } } } }",
        {"f": {"search": name}},
    )
    listed = next(
        e["node"]["stock"]
        for e in page["products"]["edges"]
        if e["node"]["id"] == product_id
    )
    return int(one["product"]["stock"]), int(listed)


def test_each_mutation_is_seen_by_the_next_read(tokens: dict[str, str]) -> None:
    alice, admin = tokens["alice"], tokens["admin"]
    product = create_product(admin, stock=10)
    pid = product["id"]
    name = gql("query($id: ID!) { product(id: $id) { name } }", {"id": pid})["product"][
        "name"
    ]
    assert seen(pid, name) == (10, 10)
    assert seen(pid, name) == (10, 10)  # cached now

    order = place_order(alice, pid, 3)
    assert seen(pid, name) == (7, 7)

    gql(
        "mutation($id: ID!) { cancelOrder(id: $id) { __typename } }",
        {"id": order["id"]},
        alice,
    )
    assert seen(pid, name) == (10, 10)

    other = place_order(alice, pid, 4)
    assert seen(pid, name) == (6, 6)
    gql(
        "mutation($id: ID!) { updateOrderStatus(id: $id, status: CANCELLED)"
        " { __typename } }",
        {"id": other["id"]},
        admin,
    )
    assert seen(pid, name) == (10, 10)

    gql(
        "mutation($id: ID!, $input: UpdateProductInput!) {"
        " updateProduct(id: $id, input: $input) { __typename } }",
        {"id": pid, "input": {"stock": 25}},
        admin,
    )
    assert seen(pid, name) == (25, 25)
