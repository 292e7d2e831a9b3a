"""How much of the schema a caller can learn follows the profile: outside prod
introspection works and errors suggest names ("Did you mean ...?"); in prod
(ENVIRONMENT=prod or PROFILE=prod) neither."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.config import GatewaySettings
from tests.unit.gateway.fakes import GraphQL, World, app_client, prod_settings

# Each query misspells one kind of name the schema would otherwise suggest.
MISSPELLED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("field", "{ produts(first: 1) { edges { cursor } } }", None),
    ("argument", "{ products(frist: 1) { edges { cursor } } }", None),
    ("input field", '{ products(filter: {categroy: "x"}) { edges { cursor } } }', None),
    ("type", "{ ...F } fragment F on Qeury { __typename }", None),
    (
        "enum literal",
        'mutation { updateOrderStatus(id: "o1", status: SHIPPD) { __typename } }',
        None,
    ),
    (
        "enum variable",
        "mutation ($s: OrderStatus!) "
        '{ updateOrderStatus(id: "o1", status: $s) { __typename } }',
        {"s": "SHIPPD"},
    ),
]
IDS = [kind for kind, _, _ in MISSPELLED]


def messages(body: dict[str, Any]) -> str:
    return " | ".join(e["message"] for e in body.get("errors") or [])


@pytest.fixture
def gateway_for(world: World):  # type: ignore[no-untyped-def]
    opened: list[TestClient] = []

    def make(settings: GatewaySettings) -> GraphQL:
        client = app_client(world.services(settings=settings))
        client.__enter__()
        opened.append(client)
        return GraphQL(client)

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.mark.parametrize(("kind", "query", "variables"), MISSPELLED, ids=IDS)
@pytest.mark.parametrize("profile", ["full", "lite"])
def test_local_profiles_suggest_names(
    gateway_for: Any,
    kind: str,
    query: str,
    variables: dict[str, Any] | None,
    profile: str,
) -> None:
    gql = gateway_for(GatewaySettings(environment="dev", profile=profile))

    assert "Did you mean" in messages(gql(query, variables))


@pytest.mark.parametrize(("kind", "query", "variables"), MISSPELLED, ids=IDS)
@pytest.mark.parametrize("how", ["environment", "profile"])
def test_prod_suggests_nothing(
    gateway_for: Any,
    kind: str,
    query: str,
    variables: dict[str, Any] | None,
    how: str,
) -> None:
    settings = (
        prod_settings()
        if how == "environment"
        else GatewaySettings(environment="dev", profile="prod")
    )
    body = gateway_for(settings)(query, variables)

    assert body.get("errors"), body  # still refused, only without the hint
    assert "Did you mean" not in messages(body)
    assert "mean" not in messages(body).lower()


@pytest.mark.parametrize(
    ("profile", "introspection"), [("full", True), ("lite", True), ("prod", False)]
)
def test_introspection_follows_the_profile(
    gateway_for: Any, profile: str, introspection: bool
) -> None:
    gql = gateway_for(GatewaySettings(environment="dev", profile=profile))

    body = gql("{ __schema { queryType { name } } }")

    if introspection:
        assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    else:
        assert "introspection has been disabled" in messages(body)


def test_the_profile_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROFILE", "prod")
    monkeypatch.setenv("ENVIRONMENT", "dev")

    assert GatewaySettings().is_prod


def test_an_unknown_profile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILE", "staging")

    with pytest.raises(ValueError, match="profile"):
        GatewaySettings()
