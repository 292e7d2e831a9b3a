"""Relay paging both ways through /graphql: `last`/`before` on products and
orders meet the same items in the same order as `first`/`after`, pages are
cached per direction, and bad arguments are BAD_USER_INPUT."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.gateway.fakes import GraphQL, World

PRODUCTS = """
query($first: Int, $after: String, $last: Int, $before: String,
      $filter: ProductFilter) {
  products(first: $first, after: $after, last: $last, before: $before,
           filter: $filter) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
ORDERS = """
query($first: Int, $after: String, $last: Int, $before: String) {
  orders(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
PLACE = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { ... on Order { id } }
}"""


def ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


def walk(gql: GraphQL, query: str, field: str, backward: bool, **kw: Any) -> list:
    """Every page, in list order, read 2 at a time in one direction."""
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        if backward:
            variables = {"last": 2, "before": cursor}
        else:
            variables = {"first": 2, "after": cursor}
        body = gql(
            query, {**variables, **kw.get("variables", {})}, **kw.get("auth", {})
        )
        page = body["data"][field]
        info = page["pageInfo"]
        if backward:
            pages.insert(0, page)
            if not info["hasPreviousPage"]:
                return pages
            cursor = info["startCursor"]
        else:
            pages.append(page)
            if not info["hasNextPage"]:
                return pages
            cursor = info["endCursor"]


def check_both_ways(forward: list, backward: list, expected: list[str]) -> None:
    assert [i for page in forward for i in ids(page)] == expected
    assert [i for page in backward for i in ids(page)] == expected
    for pages in (forward, backward):
        assert not pages[0]["pageInfo"]["hasPreviousPage"]
        assert not pages[-1]["pageInfo"]["hasNextPage"]
        assert all(p["pageInfo"]["hasNextPage"] for p in pages[:-1])
        assert all(p["pageInfo"]["hasPreviousPage"] for p in pages[1:])


def test_products_page_backward_to_the_same_list(world: World, gql: GraphQL) -> None:
    newest_first = list(reversed([world.products.add(f"P{i}") for i in range(7)]))
    world.products.add("Other", category="garden")
    only_misc = {"variables": {"filter": {"category": "misc"}}}

    forward = walk(gql, PRODUCTS, "products", False, **only_misc)
    backward = walk(gql, PRODUCTS, "products", True, **only_misc)

    check_both_ways(forward, backward, newest_first)
    assert [len(ids(page)) for page in backward] == [1, 2, 2, 2]


def test_orders_page_backward_to_the_same_list(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", stock=10)
    alice = world.token("alice")
    placed = []
    for key in "abcde":
        variables = {
            "input": {
                "items": [{"productId": lamp, "quantity": 1}],
                "idempotencyKey": key,
            }
        }
        placed.append(gql(PLACE, variables, token=alice)["data"]["placeOrder"]["id"])
    gql(
        PLACE,
        {
            "input": {
                "items": [{"productId": lamp, "quantity": 1}],
                "idempotencyKey": "b",
            }
        },
        token=world.token("bob"),
    )
    as_alice = {"auth": {"token": alice}}

    forward = walk(gql, ORDERS, "orders", False, **as_alice)
    backward = walk(gql, ORDERS, "orders", True, **as_alice)

    check_both_ways(forward, backward, list(reversed(placed)))


def test_a_backward_page_is_cached_apart_from_the_forward_one(
    world: World, gql: GraphQL
) -> None:
    newest_first = list(reversed([world.products.add(f"P{i}") for i in range(5)]))

    first = gql(PRODUCTS, {"first": 2})["data"]["products"]
    last = gql(PRODUCTS, {"last": 2})["data"]["products"]
    again = gql(PRODUCTS, {"last": 2})["data"]["products"]

    assert ids(first) == newest_first[:2]
    assert ids(last) == ids(again) == newest_first[-2:]
    assert world.products.calls["list"] == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 2, last: 2", "last: cannot be used with `first`"),
        ("last: -1", "last: must be between 1 and 100"),
        ("last: 101", "last: must be between 1 and 100"),
        ("first: -3", "first: must be between 1 and 100"),
        ('last: 2, after: "x"', "after: pages forward: use it with `first`"),
        ('first: 2, before: "x"', "before: pages backward: use it with `last`"),
        ('after: "x", before: "y"', "before: cannot be used with `after`"),
        ('last: 2, before: "forged"', "before: is not a cursor this API issued"),
    ],
)
def test_bad_paging_arguments_are_bad_user_input(
    gql: GraphQL, arguments: str, message: str
) -> None:
    body = gql(f"{{ products({arguments}) {{ edges {{ cursor }} }} }}")

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == message
