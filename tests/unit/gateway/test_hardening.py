"""What hostile or broken requests get: clear errors with codes, never a 500,
never a leaked internal message."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gateway import clients
from gateway.config import GatewaySettings
from tests.unit.gateway.fakes import GraphQL, World, app_client, prod_settings

DEEP_VIA_FRAGMENTS = """
query Deep { ...Root }
fragment Root on Query { orders { ...Conn } }
fragment Conn on OrderConnection { edges { node { ...Line } } }
fragment Line on Order { items { product { price { amount } } } }
"""


def codes(body: dict[str, object]) -> list[str]:
    errors = body.get("errors") or []
    return [e["extensions"]["code"] for e in errors]  # type: ignore[index,union-attr]


@pytest.fixture
def shallow(world: World) -> GraphQL:
    """A gateway configured with a depth limit of 4."""
    settings = GatewaySettings(environment="test", graphql_max_depth=4)
    client = app_client(world.services(settings=settings))
    client.__enter__()
    yield GraphQL(client)
    client.__exit__(None, None, None)


def test_depth_is_measured_through_fragments(shallow: GraphQL, world: World) -> None:
    body = shallow(DEEP_VIA_FRAGMENTS, token=world.token("alice"))

    assert body["data"] is None
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "exceeds maximum operation depth of 4" in body["errors"][0]["message"]


def test_a_query_within_the_depth_limit_runs(shallow: GraphQL, world: World) -> None:
    body = shallow("{ orders { edges { node { id } } } }", token=world.token("alice"))

    assert body == {"data": {"orders": {"edges": []}}}


@pytest.mark.parametrize(
    "query",
    [
        # A fragment spreading itself, directly and through another.
        "query { ...A } fragment A on Query { me { id } ...A }",
        "query { ...A } fragment A on Query { products { edges { node { id } } } ...B }"
        " fragment B on Query { ...A }",
        # Deep and circular at once.
        "query { orders { ...C } } fragment C on OrderConnection "
        "{ edges { node { items { product { id } } } } ...C }",
    ],
)
def test_a_circular_fragment_is_a_clean_validation_error(
    gql: GraphQL, query: str
) -> None:
    body = gql(query)

    assert body["data"] is None
    assert "GRAPHQL_VALIDATION_FAILED" in codes(body)
    assert any("within itself" in e["message"] for e in body["errors"])


def test_a_spread_of_an_unknown_fragment_is_a_clean_error(gql: GraphQL) -> None:
    body = gql("{ products { ...Missing } }")

    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert body["errors"][0]["message"] == "Unknown fragment 'Missing'."


def test_too_many_aliases_are_refused(gql: GraphQL) -> None:
    query = (
        "{ " + " ".join(f'a{i}: product(id: "p{i}") {{ id }}' for i in range(16)) + " }"
    )

    body = gql(query)

    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in body["errors"][0]["message"]


def test_aliases_hidden_in_fragments_count_too(gql: GraphQL) -> None:
    aliases = " ".join(f"n{i}: name" for i in range(16))
    query = f'{{ product(id: "p1") {{ ...F }} }} fragment F on Product {{ {aliases} }}'

    assert codes(gql(query)) == ["GRAPHQL_VALIDATION_FAILED"]


def test_an_oversized_query_is_refused_before_parsing_finishes(gql: GraphQL) -> None:
    query = "{ " + "__typename " * 3000 + "}"

    body = gql(query)

    assert codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert "more than 2000 tokens" in body["errors"][0]["message"]


def test_a_huge_body_is_refused_with_413(client: TestClient) -> None:
    response = client.post(
        "/graphql", json={"query": "{ __typename }", "x": "a" * 70_000}
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_page_size_is_capped_at_100(gql: GraphQL) -> None:
    body = gql("{ products(first: 101) { edges { cursor } } }")

    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "first: must be between 1 and 100"
    assert gql("{ products(first: 100) { edges { cursor } } }")["data"] is not None


def test_a_forged_cursor_is_bad_user_input(gql: GraphQL) -> None:
    body = gql('{ products(after: "not-a-cursor") { edges { cursor } } }')

    assert codes(body) == ["BAD_USER_INPUT"]


def test_mutations_are_refused_over_get(world: World, client: TestClient) -> None:
    lamp = world.products.add("Lamp")
    alice = world.token("alice")
    order = world.orders
    mutation = f'mutation {{ cancelOrder(id: "o1") {{ __typename }} }} # {lamp}'

    response = client.get(
        "/graphql",
        params={"query": mutation},
        headers={"Authorization": f"Bearer {alice}"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "mutations are not allowed when using GET",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert order.calls["cancel"] == 0


def test_queries_may_use_get(world: World, client: TestClient) -> None:
    lamp = world.products.add("Lamp")

    response = client.get(
        "/graphql", params={"query": f'{{ product(id: "{lamp}") {{ name }} }}'}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"product": {"name": "Lamp"}}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b'[{"query": "{ __typename }"}]', "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"query": "{ __typename }", "variables": "x"}', "application/json"),
        (b'{"variables": {}}', "application/json"),
        (b"{ __typename }", "text/plain"),
        (b"\xff\xfe\x00", "application/json"),
        (b'{"query": "fragment F on Query { __typename }"}', "application/json"),
        (b'{"query": "{ __typename }", "operationName": "Nope"}', "application/json"),
    ],
)
def test_malformed_requests_are_4xx_json(
    client: TestClient, body: bytes, content_type: str
) -> None:
    response = client.post(
        "/graphql", content=body, headers={"content-type": content_type}
    )

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize(
    "query",
    [
        "{",
        "{ product(id: ) { id } }",
        "query { nope }",
        "{ product { id } }",
        '{ product(id: "1") }',
        "subscription { orderStatusChanged(orderId: 1) }",
        '{ products(first: "ten") { edges { cursor } } }',
        "{ products(filter: {minPrice: 9007199254740993}) { edges { cursor } } }",
        "{ __typename @include }",
        "\x00",
    ],
)
def test_malformed_queries_are_graphql_errors(gql: GraphQL, query: str) -> None:
    body = gql(query)

    assert body.get("data") is None
    assert set(codes(body)) <= {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}


def test_unexpected_errors_are_masked_with_a_stable_code(
    world: World, gql: GraphQL
) -> None:
    world.products.fail = RuntimeError("mongodb://admin:hunter2@db failed")

    body = gql('{ product(id: "p1") { name } }')

    assert body["errors"] == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["product"],
            "extensions": {"code": "INTERNAL"},
        }
    ]


def test_an_unexpected_service_status_is_masked(world: World, gql: GraphQL) -> None:
    world.orders.fail = clients.UnexpectedServiceError("INTERNAL: stack trace here")
    lamp = world.products.add("Lamp")

    body = gql(
        "mutation($id: ID!) { placeOrder(input: {items: [{productId: $id, "
        'quantity: 1}], idempotencyKey: "k"}) { __typename } }',
        {"id": lamp},
        token=world.token("alice"),
    )

    assert codes(body) == ["INTERNAL"]
    assert "stack trace" not in str(body)


def test_an_invalid_token_is_http_401_json(client: TestClient) -> None:
    response = client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": "Bearer not-a-token"},
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["error"] == "invalid_token"


def test_an_empty_bearer_is_http_401(client: TestClient) -> None:
    response = client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": "Bearer "},
    )

    assert response.status_code == 401


def test_graphiql_is_served_outside_prod(client: TestClient) -> None:
    response = client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_introspection_works_outside_prod(gql: GraphQL) -> None:
    body = gql("{ __schema { queryType { name } } }")

    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


@pytest.fixture
def prod(world: World) -> TestClient:
    client = app_client(world.services(settings=prod_settings()))
    client.__enter__()
    yield client
    client.__exit__(None, None, None)


def test_prod_serves_no_ide(prod: TestClient) -> None:
    response = prod.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { name } } }",
        '{ __type(name: "Query") { fields { name } } }',
        "{ ...F } fragment F on Query { __schema { queryType { name } } }",
    ],
)
def test_prod_refuses_introspection(prod: TestClient, query: str) -> None:
    body = GraphQL(prod)(query)

    assert body["data"] is None
    assert "introspection has been disabled" in body["errors"][0]["message"]


def test_prod_still_answers_typename(prod: TestClient) -> None:
    assert GraphQL(prod)("{ __typename }") == {"data": {"__typename": "Query"}}
