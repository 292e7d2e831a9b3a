"""The catalog through /graphql: reads for anyone, writes for products:write,
pages as Relay connections, reads served from the cache."""

from __future__ import annotations

from gateway import clients
from tests.unit.gateway.fakes import GraphQL, World

PRODUCT = (
    "query($id: ID!) { product(id: $id) { id name stock price { amount currency } } }"
)
PAGE = """
query($first: Int, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
CREATE = """
mutation($input: CreateProductInput!) {
  createProduct(input: $input) {
    __typename
    ... on Product { id name stock price { amount currency } }
    ... on Forbidden { permission message }
    ... on ValidationError { fields { field message } }
    ... on Unavailable { message }
  }
}"""
UPDATE = """
mutation($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) {
    __typename
    ... on Product { id name stock }
    ... on NotFound { id }
    ... on Forbidden { permission }
  }
}"""


def draft(name: str = "Lamp") -> dict[str, object]:
    return {
        "name": name,
        "category": "home",
        "price": {"amount": 2599, "currency": "usd"},
        "stock": 4,
    }


def test_anonymous_callers_read_products(world: World, gql: GraphQL) -> None:
    lamp = world.products.add("Lamp", 2599, stock=4)

    body = gql(PRODUCT, {"id": lamp})

    assert body["data"]["product"] == {
        "id": lamp,
        "name": "Lamp",
        "stock": 4,
        "price": {"amount": 2599, "currency": "USD"},
    }


def test_an_unknown_product_is_null_without_error(gql: GraphQL) -> None:
    assert gql(PRODUCT, {"id": "nope"}) == {"data": {"product": None}}


def test_pages_follow_end_cursor_to_the_last_product(
    world: World, gql: GraphQL
) -> None:
    ids = [world.products.add(f"P{i}") for i in range(5)]

    seen, after, pages = [], None, 0
    while True:
        page = gql(PAGE, {"first": 2, "after": after})["data"]["products"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == list(reversed(ids))
    assert pages == 3


def test_any_edge_cursor_resumes_right_after_that_edge(
    world: World, gql: GraphQL
) -> None:
    ids = list(reversed([world.products.add(f"P{i}") for i in range(6)]))
    first = gql(PAGE, {"first": 4})["data"]["products"]

    second_edge = first["edges"][1]["cursor"]
    resumed = gql(PAGE, {"first": 3, "after": second_edge})["data"]["products"]

    assert [e["node"]["id"] for e in resumed["edges"]] == ids[2:5]
    assert resumed["pageInfo"]["hasNextPage"] is True


def test_the_filter_reaches_the_service(world: World, gql: GraphQL) -> None:
    world.products.add("Cheap lamp", 500, category="home")
    world.products.add("Dear lamp", 9000, category="home")
    world.products.add("Pen", 300, category="office")

    page = gql(
        PAGE, {"filter": {"category": "home", "maxPrice": 1000, "search": "lamp"}}
    )["data"]["products"]

    assert [e["node"]["name"] for e in page["edges"]] == ["Cheap lamp"]


def test_a_second_identical_products_query_is_served_from_the_cache(
    world: World, gql: GraphQL
) -> None:
    world.products.add("Lamp")

    first = gql(PAGE, {"first": 5})
    second = gql(PAGE, {"first": 5})

    assert first == second
    assert world.products.calls["list"] == 1


def test_product_reads_are_cached_and_forgotten_on_update(
    world: World, gql: GraphQL
) -> None:
    lamp = world.products.add("Lamp")
    admin = world.token("root", "products:write")

    gql(PRODUCT, {"id": lamp})
    gql(PRODUCT, {"id": lamp})
    assert world.products.calls["batch_get"] == 1

    gql(UPDATE, {"id": lamp, "input": {"name": "Lamp 2"}}, token=admin)

    assert gql(PRODUCT, {"id": lamp})["data"]["product"]["name"] == "Lamp 2"
    assert gql(PAGE)["data"]["products"]["edges"][0]["node"]["name"] == "Lamp 2"


def test_aliases_of_product_make_one_batched_call(world: World, gql: GraphQL) -> None:
    a, b = world.products.add("A"), world.products.add("B")

    body = gql(
        "query($a: ID!, $b: ID!) { a: product(id: $a) { name } "
        'b: product(id: $b) { name } c: product(id: "missing") { name } }',
        {"a": a, "b": b},
    )

    assert body["data"] == {"a": {"name": "A"}, "b": {"name": "B"}, "c": None}
    assert world.products.calls["batch_get"] == 1


def test_creating_a_product_needs_products_write(world: World, gql: GraphQL) -> None:
    alice = world.token("alice")

    body = gql(CREATE, {"input": draft()}, token=alice)

    assert body["data"]["createProduct"] == {
        "__typename": "Forbidden",
        "permission": "products:write",
        "message": "This needs the products:write permission.",
    }
    assert world.products.calls["create"] == 0


def test_an_admin_creates_a_product(world: World, gql: GraphQL) -> None:
    admin = world.token("root", "products:write")

    created = gql(CREATE, {"input": draft()}, token=admin)["data"]["createProduct"]

    assert created["__typename"] == "Product"
    assert created["price"] == {"amount": 2599, "currency": "USD"}
    assert world.products.by_id[created["id"]].name == "Lamp"


def test_refused_input_is_a_validation_error_with_field_names(
    world: World, gql: GraphQL
) -> None:
    admin = world.token("root", "products:write")

    body = gql(CREATE, {"input": draft(name=" ")}, token=admin)

    assert body["data"]["createProduct"] == {
        "__typename": "ValidationError",
        "fields": [{"field": "name", "message": "must not be empty"}],
    }


def test_an_unreachable_service_is_an_unavailable_result(
    world: World, gql: GraphQL
) -> None:
    admin = world.token("root", "products:write")
    world.products.fail = clients.Unavailable("product is down")

    body = gql(CREATE, {"input": draft()}, token=admin)

    assert body["data"]["createProduct"]["__typename"] == "Unavailable"


def test_updating_an_unknown_product_is_not_found(world: World, gql: GraphQL) -> None:
    admin = world.token("root", "products:write")

    body = gql(UPDATE, {"id": "p404", "input": {"stock": 1}}, token=admin)

    assert body["data"]["updateProduct"] == {"__typename": "NotFound", "id": "p404"}


def test_anonymous_mutations_are_unauthenticated(world: World, gql: GraphQL) -> None:
    body = gql(CREATE, {"input": draft()})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_read_while_the_service_is_down_is_an_unavailable_error(
    world: World, gql: GraphQL
) -> None:
    world.products.fail = clients.Unavailable("down")

    body = gql(PAGE)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


def test_page_info_has_a_start_cursor_and_a_previous_page_after_a_cursor(
    world: World, gql: GraphQL
) -> None:
    for i in range(3):
        world.products.add(f"P{i}")
    query = (
        "query($after: String) { products(first: 2, after: $after) { "
        "edges { cursor } pageInfo { hasPreviousPage startCursor endCursor } } }"
    )

    first = gql(query)["data"]["products"]
    second = gql(query, {"after": first["pageInfo"]["endCursor"]})["data"]["products"]

    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["pageInfo"]["startCursor"] == second["edges"][0]["cursor"]
