"""The cart through /graphql: per-user lines with live products, and every
refusal as a typed member of `CartResult`."""

from __future__ import annotations

import pytest

from gateway import clients
from tests.unit.gateway.fakes import GraphQL, World

CART = """
query { cart {
  totalQuantity maxLineQuantity subtotal { amount currency }
  lines { productId quantity product { name stock } lineTotal { amount } }
} }"""
RESULT = """
  __typename
  ... on Cart { totalQuantity lines { productId quantity } }
  ... on OutOfStock { productId requested available message }
  ... on ValidationError { fields { field message } }
  ... on NotFound { id }
  ... on Unavailable { message }
"""
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
REMOVE = "mutation($p: ID!) { removeFromCart(productId: $p) {" + RESULT + "} }"
CLEAR = "mutation { clearCart {" + RESULT + "} }"


def add(gql: GraphQL, token: str, product: str, quantity: int) -> dict[str, object]:
    body = gql(ADD, {"p": product, "q": quantity}, token=token)
    result: dict[str, object] = body["data"]["addToCart"]
    return result


def test_a_cart_lists_its_lines_with_current_products_and_prices(
    world: World, gql: GraphQL
) -> None:
    mug = world.products.add("Mug", amount=1250, stock=5)
    tea = world.products.add("Tea", amount=400, stock=50)
    alice = world.token("alice")
    add(gql, alice, mug, 2)
    add(gql, alice, tea, 1)
    add(gql, alice, mug, 1)

    cart = gql(CART, token=alice)["data"]["cart"]

    assert cart["totalQuantity"] == 4
    assert cart["maxLineQuantity"] == 10
    assert cart["subtotal"] == {"amount": 3 * 1250 + 400, "currency": "USD"}
    assert [(x["productId"], x["quantity"]) for x in cart["lines"]] == [
        (mug, 3),
        (tea, 1),
    ]
    assert cart["lines"][0]["product"] == {"name": "Mug", "stock": 5}
    assert cart["lines"][0]["lineTotal"] == {"amount": 3750}
    # the lines' products came in one batch
    assert world.products.batches == [[mug, tea]]


def test_carts_are_per_user(world: World, gql: GraphQL) -> None:
    mug = world.products.add("Mug")
    add(gql, world.token("alice"), mug, 1)
    cart = gql(CART, token=world.token("bob"))["data"]["cart"]
    assert cart["lines"] == [] and cart["subtotal"] is None


def test_change_and_remove_and_clear(world: World, gql: GraphQL) -> None:
    mug, tea = world.products.add("Mug"), world.products.add("Tea")
    alice = world.token("alice")
    add(gql, alice, mug, 1)
    add(gql, alice, tea, 1)
    changed = gql(SET, {"p": mug, "q": 4}, token=alice)["data"]["setCartQuantity"]
    assert changed["lines"] == [
        {"productId": mug, "quantity": 4},
        {"productId": tea, "quantity": 1},
    ]
    removed = gql(REMOVE, {"p": mug}, token=alice)["data"]["removeFromCart"]
    assert removed["lines"] == [{"productId": tea, "quantity": 1}]
    cleared = gql(CLEAR, token=alice)["data"]["clearCart"]
    assert cleared == {"__typename": "Cart", "totalQuantity": 0, "lines": []}


@pytest.mark.parametrize("quantity", [0, -2, 11])
def test_bad_quantities_are_validation_errors(
    world: World, gql: GraphQL, quantity: int
) -> None:
    mug = world.products.add("Mug", stock=100)
    result = add(gql, world.token("alice"), mug, quantity)
    assert result["__typename"] == "ValidationError"
    assert result["fields"] == [{"field": "quantity", "message": "between 1 and 10"}]


def test_out_of_stock_says_how_many_are_left(world: World, gql: GraphQL) -> None:
    mug = world.products.add("Mug", stock=3)
    result = add(gql, world.token("alice"), mug, 4)
    assert result["__typename"] == "OutOfStock"
    assert (result["productId"], result["requested"], result["available"]) == (
        mug,
        4,
        3,
    )


def test_an_unknown_product_is_not_found(world: World, gql: GraphQL) -> None:
    result = add(gql, world.token("alice"), "ghost", 1)
    assert result == {"__typename": "NotFound", "id": "ghost"}


def test_a_cart_service_outage_is_unavailable(world: World, gql: GraphQL) -> None:
    mug = world.products.add("Mug")
    world.carts.fail = clients.Unavailable(dependency="cart")
    result = add(gql, world.token("alice"), mug, 1)
    assert result["__typename"] == "Unavailable"
    body = gql(CART, token=world.token("alice"))
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


def test_the_cart_needs_a_login(world: World, gql: GraphQL) -> None:
    body = gql(CART)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = gql(ADD, {"p": "x", "q": 1})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert world.carts.calls == {}
