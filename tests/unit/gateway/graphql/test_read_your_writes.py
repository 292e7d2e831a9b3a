"""Read-your-writes through one gateway: after a mutation that moved stock
returns, the next read sees it, though no product event has arrived (the unit
world delivers none) and the product was cached before."""

from __future__ import annotations

from tests.unit.gateway.fakes import GraphQL, World

PRODUCT = "query($id: ID!) { product(id: $id) { id stock } }"
PAGE = "{ products(first: 10) { edges { node { id stock } } } }"
PLACE = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { __typename ... on Order { id } }
}"""
CANCEL = "mutation($id: ID!) { cancelOrder(id: $id) { __typename } }"
SET_STATUS = """
mutation($id: ID!, $status: OrderStatus!) {
  updateOrderStatus(id: $id, status: $status) { __typename }
}"""
UPDATE = """
mutation($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { __typename }
}"""


def stock_seen(gql: GraphQL, product_id: str) -> tuple[int, int]:
    """(stock in `product`, stock in `products`), both through the cache."""
    one = gql(PRODUCT, {"id": product_id})["data"]["product"]["stock"]
    page = gql(PAGE)["data"]["products"]["edges"]
    listed = next(e["node"]["stock"] for e in page if e["node"]["id"] == product_id)
    return one, listed


def place(gql: GraphQL, token: str, product_id: str, quantity: int, key: str) -> str:
    items = [{"productId": product_id, "quantity": quantity}]
    body = gql(PLACE, {"input": {"items": items, "idempotencyKey": key}}, token=token)
    order: dict[str, str] = body["data"]["placeOrder"]
    assert order["__typename"] == "Order"
    return order["id"]


def test_placing_and_cancelling_are_seen_by_the_next_read(
    world: World, gql: GraphQL
) -> None:
    lamp = world.products.add("Lamp", stock=5)
    alice = world.token("alice")
    assert stock_seen(gql, lamp) == (5, 5)
    assert stock_seen(gql, lamp) == (5, 5)  # now cached
    calls = dict(world.products.calls)

    order = place(gql, alice, lamp, 2, "k1")
    assert stock_seen(gql, lamp) == (3, 3)
    assert world.products.calls["batch_get"] > calls["batch_get"]

    assert gql(CANCEL, {"id": order}, token=alice)["data"]["cancelOrder"]
    assert stock_seen(gql, lamp) == (5, 5)


def test_an_admin_cancel_and_a_stock_update_are_seen_by_the_next_read(
    world: World, gql: GraphQL
) -> None:
    lamp = world.products.add("Lamp", stock=5)
    admin = world.token("root", "orders:write", "products:write")
    order = place(gql, world.token("bob"), lamp, 1, "k1")
    assert stock_seen(gql, lamp) == (4, 4)

    gql(SET_STATUS, {"id": order, "status": "CANCELLED"}, token=admin)
    assert stock_seen(gql, lamp) == (5, 5)

    gql(UPDATE, {"id": lamp, "input": {"stock": 9}}, token=admin)
    assert stock_seen(gql, lamp) == (9, 9)


def test_a_refused_order_forgets_nothing(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=1)
    stock_seen(gql, lamp)
    calls = dict(world.products.calls)
    items = [{"productId": lamp, "quantity": 5}]
    body = gql(
        PLACE,
        {"input": {"items": items, "idempotencyKey": "k"}},
        token=world.token("alice"),
    )
    assert body["data"]["placeOrder"]["__typename"] == "OutOfStock"
    assert stock_seen(gql, lamp) == (1, 1)
    assert world.products.calls == calls  # still served from the cache
