"""Each query text is parsed and validated once (gateway.graphql.documents),
and the verdict is kept with it: a document over a limit is refused every time
it comes back, through the HTTP API and by persisted-query hash alike."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import GraphQLSyntaxError

from gateway.config import GatewaySettings
from gateway.graphql.documents import DocumentCache, document_rules
from gateway.graphql.schema import build_schema
from gateway.services import GatewayServices
from tests.unit.gateway.fakes import GraphQL, World

DEEP = "{ products { edges { node { price { amount } } } } }"  # depth 4
VALID = "{ __typename }"


def cache(maxsize: int = 256, max_depth: int = 10) -> DocumentCache:
    return DocumentCache(
        max_tokens=50, rules=document_rules(max_depth, 15, True), maxsize=maxsize
    )


def schema() -> Any:
    return build_schema()._schema


def test_the_same_text_is_parsed_once_and_its_errors_copied() -> None:
    documents, graphql_schema = cache(max_depth=3), schema()

    first, first_errors = documents.prepare(graphql_schema, DEEP)
    again, again_errors = documents.prepare(graphql_schema, DEEP)

    assert again is first
    assert [e.message for e in again_errors] == [
        "'anonymous' exceeds maximum operation depth of 3"
    ]
    assert again_errors is not first_errors  # a request may replace its list


def test_each_text_has_its_own_verdict() -> None:
    documents, graphql_schema = cache(max_depth=3), schema()

    _, deep_errors = documents.prepare(graphql_schema, DEEP)
    valid, valid_errors = documents.prepare(graphql_schema, VALID)

    assert deep_errors and not valid_errors
    assert documents.prepare(graphql_schema, VALID)[0] is valid


def test_the_least_recently_used_text_is_dropped_first() -> None:
    documents, graphql_schema = cache(maxsize=2), schema()
    one, _ = documents.prepare(graphql_schema, "{ a: __typename }")
    two, _ = documents.prepare(graphql_schema, "{ b: __typename }")
    documents.prepare(graphql_schema, "{ a: __typename }")  # used again

    documents.prepare(graphql_schema, "{ c: __typename }")  # evicts b

    assert documents.prepare(graphql_schema, "{ a: __typename }")[0] is one
    assert documents.prepare(graphql_schema, "{ b: __typename }")[0] is not two


@pytest.mark.parametrize(
    "query", ["{ products {", " ".join(["{ a: __typename }"] * 20)]
)
def test_unparsable_and_too_long_texts_raise_and_are_not_kept(query: str) -> None:
    documents, graphql_schema = cache(), schema()

    for _ in range(2):
        with pytest.raises(GraphQLSyntaxError):
            documents.prepare(graphql_schema, query)


MakeClient = Callable[[GatewayServices], TestClient]


@pytest.fixture
def shallow(world: World, make_client: MakeClient) -> TestClient:
    """A gateway whose depth limit is 3."""
    settings = GatewaySettings(environment="test", graphql_max_depth=3)
    return make_client(world.services(settings=settings))


def test_a_limit_is_enforced_again_on_the_cached_document(shallow: TestClient) -> None:
    gql = GraphQL(shallow)

    answers = [gql(DEEP) for _ in range(3)]

    for body in answers:
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "exceeds maximum operation depth of 3" in body["errors"][0]["message"]


def test_a_persisted_query_over_a_limit_is_refused_every_time(
    shallow: TestClient,
) -> None:
    client = shallow
    sha = hashlib.sha256(DEEP.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    client.post("/graphql", json={"query": DEEP, "extensions": persisted})

    for _ in range(2):
        body = client.post("/graphql", json={"extensions": persisted}).json()
        assert body["data"] is None
        assert "exceeds maximum operation depth of 3" in body["errors"][0]["message"]


def test_valid_documents_still_run_from_the_cache(gql: GraphQL) -> None:
    assert gql(VALID) == gql(VALID) == {"data": {"__typename": "Query"}}
