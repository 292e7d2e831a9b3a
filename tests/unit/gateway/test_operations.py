"""The API collection (gateway/operations/): one file per operation, each valid
against the schema, every root field covered; GraphiQL opens on all of them."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from graphql import OperationDefinitionNode, parse, validate

from gateway.graphiql import OPERATIONS, example_document
from gateway.graphql.schema import build_schema

SCHEMA = build_schema()._schema


def test_each_file_is_one_valid_operation_named_like_the_file() -> None:
    files = sorted(OPERATIONS.glob("*.graphql"))
    assert files
    for path in files:
        document = parse(path.read_text())
        assert validate(SCHEMA, document) == [], path.name
        (operation,) = document.definitions
        assert isinstance(operation, OperationDefinitionNode)
        assert operation.name is not None and operation.name.value == path.stem


def test_every_root_field_has_an_operation() -> None:
    used: set[str] = set()
    for path in OPERATIONS.glob("*.graphql"):
        (operation,) = parse(path.read_text()).definitions
        assert isinstance(operation, OperationDefinitionNode)
        used |= {
            f"{operation.operation.value}.{s.name.value}"
            for s in operation.selection_set.selections
        }  # type: ignore[attr-defined]
    roots = {
        "query": SCHEMA.query_type,
        "mutation": SCHEMA.mutation_type,
        "subscription": SCHEMA.subscription_type,
    }
    wanted = {f"{kind}.{name}" for kind, t in roots.items() if t for name in t.fields}
    assert wanted - used == set()


def test_the_example_variables_fit_the_operations() -> None:
    variables = json.loads((OPERATIONS / "variables.json").read_text())
    document = parse(example_document())
    names = {
        v.variable.name.value
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
        for v in op.variable_definitions or ()
    }
    assert set(variables) <= names


def test_graphiql_opens_on_the_operations(client: TestClient) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"}).text
    assert json.dumps(example_document()) in page
    assert "window.location.hash" in page  # #headers=... fills the headers editor
