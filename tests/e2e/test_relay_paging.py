"""Relay connections page both ways on the real mesh: products (through the
catalog cache and MongoDB) and orders (MariaDB) read with `last`/`before` meet
the same items in the same order as with `first`/`after`, with the right
hasPreviousPage/hasNextPage at both ends; bad arguments are BAD_USER_INPUT."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devmesh.tokens import get_token
from services.product.adapters.repository import MongoProductRepository
from services.product.domain import Money, Product
from tests.e2e.graphql import gql, place_order, post_graphql
from tests.integration import backends

pytestmark = pytest.mark.e2e

PAGE_INFO = "pageInfo { hasPreviousPage startCursor hasNextPage endCursor }"
PRODUCTS = f"""
query($first: Int, $after: String, $last: Int, $before: String, $category: String) {{
  products(first: $first, after: $after, last: $last, before: $before,
           filter: {{category: $category}}) {{
    edges {{ cursor node {{ id }} }} {PAGE_INFO}
  }}
}}"""
ORDERS = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  orders(first: $first, after: $after, last: $last, before: $before) {{
    edges {{ cursor node {{ id }} }} {PAGE_INFO}
  }}
}}"""
CREATE = """
mutation($input: CreateProductInput!) {
  createProduct(input: $input) { ... on Product { id } ... on UserError { message } }
}"""


@pytest.fixture(scope="module")
def tokens(shared_env: dict[str, str]) -> dict[str, str]:
    issuer = shared_env["OIDC_ISSUER"]
    tag = uuid.uuid4().hex[:6]
    return {
        "buyer": get_token(f"pager-{tag}", issuer_url=issuer),
        "admin": get_token(f"admin-{tag}", admin=True, issuer_url=issuer),
    }


def walk(
    query: str, field: str, size: int, backward: bool, **kw: Any
) -> list[dict[str, Any]]:
    """Every page, in list order, read `size` at a time in one direction."""
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        if backward:
            variables = {"last": size, "before": cursor}
        else:
            variables = {"first": size, "after": cursor}
        variables.update(kw.get("variables", {}))
        page = gql(query, variables, kw.get("token"))[field]
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
    raise AssertionError(f"{field}: no end after 50 pages")


def check_both_ways(
    forward: list[dict[str, Any]], backward: list[dict[str, Any]], expected: list[str]
) -> None:
    def ids(pages: list[dict[str, Any]]) -> list[str]:
        return [edge["node"]["id"] for page in pages for edge in page["edges"]]

    assert ids(forward) == expected
    assert ids(backward) == expected
    for pages in (forward, backward):
        infos = [page["pageInfo"] for page in pages]
        assert not infos[0]["hasPreviousPage"]
        assert not infos[-1]["hasNextPage"]
        assert all(info["hasNextPage"] for info in infos[:-1])
        assert all(info["hasPreviousPage"] for info in infos[1:])


def test_products_page_backward_through_the_same_list(tokens: dict[str, str]) -> None:
    category = f"paging-{uuid.uuid4().hex[:8]}"
    created = []
    for n in range(11):
        product = {
            "name": f"Pager {n}",
            "category": category,
            "price": {"amount": 100 + n, "currency": "USD"},
            "stock": 5,
        }
        data = gql(CREATE, {"input": product}, tokens["admin"])["createProduct"]
        assert "id" in data, data
        created.append(data["id"])
    newest_first = list(reversed(created))
    only_mine = {"variables": {"category": category}}

    for size in (3, 4, 11):
        forward = walk(PRODUCTS, "products", size, False, **only_mine)
        backward = walk(PRODUCTS, "products", size, True, **only_mine)
        check_both_ways(forward, backward, newest_first)

    # Any edge pages backward to the items just before it.
    middle = walk(PRODUCTS, "products", 4, False, **only_mine)[1]["edges"]
    for at, edge in enumerate(middle, start=4):
        page = gql(
            PRODUCTS, {"last": 3, "before": edge["cursor"], "category": category}
        )["products"]
        assert [e["node"]["id"] for e in page["edges"]] == newest_first[at - 3 : at]
        assert page["pageInfo"]["hasPreviousPage"] == (at > 3)


def test_orders_page_backward_through_the_same_list(tokens: dict[str, str]) -> None:
    product = gql(
        CREATE,
        {
            "input": {
                "name": "Pager stock",
                "category": f"paging-{uuid.uuid4().hex[:8]}",
                "price": {"amount": 100, "currency": "USD"},
                "stock": 50,
            }
        },
        tokens["admin"],
    )["createProduct"]
    placed = []
    for _ in range(7):
        order = place_order(tokens["buyer"], product["id"], 1)
        assert order["__typename"] == "Order", order
        placed.append(order["id"])
    as_buyer = {"token": tokens["buyer"]}

    for size in (2, 3, 7):
        forward = walk(ORDERS, "orders", size, False, **as_buyer)
        backward = walk(ORDERS, "orders", size, True, **as_buyer)
        check_both_ways(forward, backward, list(reversed(placed)))


def test_equal_creation_times_page_both_ways_by_id(
    shared_env: dict[str, str],
) -> None:
    """Keyset ties (same created_at) are broken by id in both directions; the
    rows are written straight to the stores so the times are exactly equal."""
    tag = uuid.uuid4().hex[:8]
    moments = [
        datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=n // 3) for n in range(8)
    ]
    products = MongoProductRepository(backends.mongo(), "shop")
    for n, moment in enumerate(moments):
        products.insert(
            Product(
                f"tie-{tag}-{n}",
                f"Tie {n}",
                "",
                f"ties-{tag}",
                Money(100, "USD"),
                1,
                moment,
                moment,
            )
        )
    newest_first = [
        f"tie-{tag}-{n}"
        for n in sorted(
            range(8), key=lambda n: (moments[n], f"tie-{tag}-{n}"), reverse=True
        )
    ]
    only_mine = {"variables": {"category": f"ties-{tag}"}}
    for size in (2, 3):
        forward = walk(PRODUCTS, "products", size, False, **only_mine)
        backward = walk(PRODUCTS, "products", size, True, **only_mine)
        check_both_ways(forward, backward, newest_first)

    token = get_token(f"ties-{tag}", issuer_url=shared_env["OIDC_ISSUER"])
    user_id = gql("{ me { id } }", token=token)["me"]["id"]
    order_ids = [f"{tag}{n:024}" for n in range(8)]
    db = backends.mysql("shop_orders")
    try:
        with db.cursor() as cur:
            for order_id, moment, n in zip(order_ids, moments, range(8), strict=True):
                cur.execute(
                    "INSERT INTO orders (id, user_id, status, total_amount, currency,"
                    " idempotency_key, created_at, updated_at)"
                    " VALUES (%s, %s, 'PENDING', 0, 'USD', %s, %s, %s)",
                    (
                        order_id,
                        user_id,
                        f"tie-{n}",
                        moment.replace(tzinfo=None),
                        moment.replace(tzinfo=None),
                    ),
                )
        db.commit()
    finally:
        db.close()
    newest_orders = sorted(
        order_ids, key=lambda i: (moments[order_ids.index(i)], i), reverse=True
    )
    for size in (2, 3):
        forward = walk(ORDERS, "orders", size, False, token=token)
        backward = walk(ORDERS, "orders", size, True, token=token)
        check_both_ways(forward, backward, newest_orders)


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ("first: 2, last: 2", "last"),
        ("last: -1", "last"),
        ("first: -1", "first"),
        ("last: 101", "last"),
        ('last: 2, after: "x"', "after"),
        ('after: "x", before: "y"', "before"),
        ('last: 2, before: "not-a-cursor"', "before"),
    ],
)
def test_bad_paging_arguments_are_bad_user_input(
    tokens: dict[str, str], arguments: str, argument: str
) -> None:
    for field, token in (("products", None), ("orders", tokens["buyer"])):
        status, body = post_graphql(
            f"{{ {field}({arguments}) {{ edges {{ cursor }} }} }}", token=token
        )
        assert status == 200, body
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
