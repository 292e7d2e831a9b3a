"""Orders through /graphql: placing, listing, ownership (BOLA), admin status
changes, result unions, batched reads."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from gateway import clients
from gateway.graphql.context import GatewayServices
from tests.unit.gateway.fakes import GraphQL, World

PLACE = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    __typename
    ... on Order {
      id status total { amount currency } createdAt
      items { product { id name } quantity unitPrice { amount currency } }
    }
    ... on OutOfStock { productId requested available }
    ... on ValidationError { fields { field message } }
    ... on Unavailable { message }
  }
}"""
ORDER = "query($id: ID!) { order(id: $id) { id status customer { name } } }"
ORDERS = """
query($first: Int, $after: String) {
  orders(first: $first, after: $after) {
    edges { cursor node { id items { product { id name } } customer { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
CANCEL = """
mutation($id: ID!) {
  cancelOrder(id: $id) {
    __typename
    ... on Order { status }
    ... on NotFound { id }
    ... on Conflict { message currentStatus }
  }
}"""
SET_STATUS = """
mutation($id: ID!, $status: OrderStatus!) {
  updateOrderStatus(id: $id, status: $status) {
    __typename ... on Order { status } ... on Forbidden { permission }
    ... on Conflict { message } ... on NotFound { id }
  }
}"""


def place(
    gql: GraphQL, token: str, *lines: tuple[str, int], key: str = "k1"
) -> dict[str, object]:
    items = [{"productId": pid, "quantity": qty} for pid, qty in lines]
    body = gql(PLACE, {"input": {"items": items, "idempotencyKey": key}}, token=token)
    result: dict[str, object] = body["data"]["placeOrder"]
    return result


def test_placing_an_order_returns_the_order(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", 2500, stock=5)
    alice = world.token("alice")

    order = place(gql, alice, (lamp, 2))

    assert order["__typename"] == "Order"
    assert order["status"] == "PENDING"
    assert order["total"] == {"amount": 5000, "currency": "USD"}
    assert order["items"] == [
        {
            "product": {"id": lamp, "name": "Lamp"},
            "quantity": 2,
            "unitPrice": {"amount": 2500, "currency": "USD"},
        }
    ]


def test_the_same_idempotency_key_places_one_order(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=5)
    alice = world.token("alice")

    first = place(gql, alice, (lamp, 1), key="checkout-1")
    again = place(gql, alice, (lamp, 1), key="checkout-1")

    assert first["id"] == again["id"]
    assert world.products.by_id[lamp].stock == 4


def test_too_much_is_out_of_stock_with_the_counts(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=3)
    alice = world.token("alice")

    result = place(gql, alice, (lamp, 5))

    assert result == {
        "__typename": "OutOfStock",
        "productId": lamp,
        "requested": 5,
        "available": 3,
    }


def test_out_of_stock_counts_are_the_services_facts(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp")
    alice = world.token("alice")
    # As decoded from the service's OUT_OF_STOCK details (see clients.status).
    world.orders.fail = clients.OutOfStock(lamp, requested=7, available=2)

    result = place(gql, alice, (lamp, 2), (lamp, 1))

    assert (result["requested"], result["available"]) == (7, 2)


def test_an_unknown_product_is_a_validation_error(world: World, gql: GraphQL) -> None:
    alice = world.token("alice")

    result = place(gql, alice, ("p404", 1))

    assert result == {
        "__typename": "ValidationError",
        "fields": [{"field": "items[0].productId", "message": "not found"}],
    }


def test_orders_lists_the_callers_own_orders(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=10)
    alice, bob = world.token("alice"), world.token("bob")
    mine = place(gql, alice, (lamp, 1), key="a")
    place(gql, bob, (lamp, 1), key="b")

    page = gql(ORDERS, token=alice)["data"]["orders"]

    assert [edge["node"]["id"] for edge in page["edges"]] == [mine["id"]]


def test_an_order_list_batches_products_and_users(world: World, gql: GraphQL) -> None:
    products = [world.products.add(f"P{i}", stock=10) for i in range(4)]
    alice = world.token("alice")
    for i, product in enumerate(products):
        place(gql, alice, (product, 1), (products[0], 1), key=f"k{i}")
    world.products.calls.clear()
    world.products.batches.clear()
    world.users.calls.clear()

    page = gql(ORDERS, token=alice)["data"]["orders"]

    assert len(page["edges"]) == 4
    assert world.products.calls == {"batch_get": 1}
    assert sorted(world.products.batches[0]) == sorted(products)
    assert world.users.calls["batch_get"] == 1


def test_user_b_cannot_read_user_as_order(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp")
    alice, bob = world.token("alice"), world.token("bob")
    order = place(gql, alice, (lamp, 1))

    assert gql(ORDER, {"id": order["id"]}, token=alice)["data"]["order"] is not None
    assert gql(ORDER, {"id": order["id"]}, token=bob) == {"data": {"order": None}}


def test_user_b_cannot_cancel_user_as_order(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=5)
    alice, bob = world.token("alice"), world.token("bob")
    order = place(gql, alice, (lamp, 2))

    refused = gql(CANCEL, {"id": order["id"]}, token=bob)["data"]["cancelOrder"]

    assert refused == {"__typename": "NotFound", "id": order["id"]}
    assert world.orders.by_id[str(order["id"])].status == clients.OrderStatus.PENDING
    assert world.products.by_id[lamp].stock == 3


def test_the_owner_cancels_and_the_stock_comes_back(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=5)
    alice = world.token("alice")
    order = place(gql, alice, (lamp, 2))

    result = gql(CANCEL, {"id": order["id"]}, token=alice)["data"]["cancelOrder"]

    assert result == {"__typename": "Order", "status": "CANCELLED"}
    assert world.products.by_id[lamp].stock == 5


def test_an_admin_reads_any_order(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp")
    alice, admin = world.token("alice"), world.token("root", "orders:write")
    order = place(gql, alice, (lamp, 1))

    seen = gql(ORDER, {"id": order["id"]}, token=admin)["data"]["order"]

    assert seen == {
        "id": order["id"],
        "status": "PENDING",
        "customer": {"name": "Alice"},
    }


def test_products_write_is_not_enough_to_read_others_orders(
    world: World, gql: GraphQL
) -> None:
    lamp = world.products.add("Lamp")
    alice, catalog_admin = world.token("alice"), world.token("cat", "products:write")
    order = place(gql, alice, (lamp, 1))

    assert gql(ORDER, {"id": order["id"]}, token=catalog_admin)["data"]["order"] is None


def test_changing_status_needs_orders_write(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp")
    alice = world.token("alice")
    order = place(gql, alice, (lamp, 1))

    result = gql(SET_STATUS, {"id": order["id"], "status": "CONFIRMED"}, token=alice)

    assert result["data"]["updateOrderStatus"] == {
        "__typename": "Forbidden",
        "permission": "orders:write",
    }


def test_an_illegal_transition_is_a_conflict(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp")
    alice, admin = world.token("alice"), world.token("root", "orders:write")
    order = place(gql, alice, (lamp, 1))

    for status in ("CONFIRMED", "SHIPPED"):
        gql(SET_STATUS, {"id": order["id"], "status": status}, token=admin)
    late = gql(CANCEL, {"id": order["id"]}, token=alice)["data"]["cancelOrder"]

    assert late["__typename"] == "Conflict"
    assert late["currentStatus"] == "SHIPPED"


def test_orders_need_a_signed_in_caller(gql: GraphQL) -> None:
    for query in (ORDERS, '{ order(id: "o1") { id } }'):
        body = gql(query)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_new_caller_is_created_once_per_request(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> None:
    gql = GraphQL(make_client(world.services()))  # a fresh process
    alice = world.token("alice")

    body = gql(
        '{ me { id } orders { edges { cursor } } order(id: "o9") { id } '
        "again: me { name } }",
        token=alice,
    )

    assert body["data"]["me"]["id"] == "u1"
    assert world.users.calls["get_or_create"] == 1


def test_an_order_read_while_the_service_is_down_is_unavailable(
    world: World, gql: GraphQL
) -> None:
    alice = world.token("alice")
    gql("{ me { id } }", token=alice)
    world.orders.fail = clients.Unavailable("order is down")

    body = gql(ORDER, {"id": "o1"}, token=alice)

    assert body["data"] == {"order": None}
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
