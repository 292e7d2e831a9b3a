"""Automatic persisted queries on /graphql: register with hash + document, then
send only the hash (POST or GET); unknown hashes and wrong hashes are refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from gateway.graphql.context import GatewayServices
from gateway.graphql.persisted import KEY_PREFIX
from tests.unit.gateway.fakes import World

PRODUCT = "query Product($id: ID!) { product(id: $id) { id name } }"
PRODUCT_HASH = hashlib.sha256(PRODUCT.encode()).hexdigest()


def apq(sha256: str, query: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
        **extra,
    }
    if query is not None:
        body["query"] = query
    return body


def test_an_unknown_hash_is_persisted_query_not_found(client: TestClient) -> None:
    response = client.post("/graphql", json=apq(PRODUCT_HASH))

    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert response.headers["cache-control"] == "no-store"


def test_a_registered_document_runs_from_its_hash_alone(
    world: World, client: TestClient
) -> None:
    lamp = world.products.add("Lamp")
    variables = {"id": lamp}

    first = client.post(
        "/graphql", json=apq(PRODUCT_HASH, PRODUCT, variables=variables)
    )
    again = client.post("/graphql", json=apq(PRODUCT_HASH, variables=variables))

    assert first.json()["data"] == {"product": {"id": lamp, "name": "Lamp"}}
    assert again.status_code == 200
    assert again.json()["data"] == first.json()["data"]
    assert world.store.data[KEY_PREFIX + PRODUCT_HASH][0] == PRODUCT


def test_another_gateway_process_finds_the_document_in_the_state_store(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> None:
    lamp = world.products.add("Lamp")
    make_client(world.services()).post("/graphql", json=apq(PRODUCT_HASH, PRODUCT))
    other = make_client(world.services())  # its own, empty, LRU
    variables = {"id": lamp}

    response = other.post("/graphql", json=apq(PRODUCT_HASH, variables=variables))
    del world.store.data[KEY_PREFIX + PRODUCT_HASH]
    again = other.post("/graphql", json=apq(PRODUCT_HASH, variables=variables))

    assert response.json()["data"] == {"product": {"id": lamp, "name": "Lamp"}}
    assert again.json()["data"] == response.json()["data"]  # from its LRU now


def test_a_hash_that_does_not_match_the_document_is_refused(
    world: World, client: TestClient
) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()

    response = client.post("/graphql", json=apq(wrong, PRODUCT))

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "PERSISTED_QUERY_HASH_MISMATCH"
    }
    assert not world.store.data
    assert client.post("/graphql", json=apq(wrong)).json()["errors"][0]["message"] == (
        "PersistedQueryNotFound"
    )


def test_malformed_persisted_query_extensions_are_bad_requests(
    client: TestClient,
) -> None:
    version_2 = {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "a"}}}

    assert client.post("/graphql", json=version_2).status_code == 400
    assert client.post("/graphql", json=apq("ABC")).status_code == 400


def test_get_with_only_the_hash_runs_the_registered_document(
    world: World, client: TestClient
) -> None:
    lamp = world.products.add("Lamp")
    client.post("/graphql", json=apq(PRODUCT_HASH, PRODUCT))
    params = {
        "extensions": json.dumps(apq(PRODUCT_HASH)["extensions"]),
        "variables": json.dumps({"id": lamp}),
    }

    response = client.get("/graphql", params=params)

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"product": {"id": lamp, "name": "Lamp"}}


def test_a_persisted_mutation_is_still_refused_over_get(
    world: World, client: TestClient
) -> None:
    mutation = 'mutation { removeFromCart(productId: "x") { totalQuantity } }'
    sha256 = hashlib.sha256(mutation.encode()).hexdigest()
    client.post("/graphql", json=apq(sha256, mutation))

    response = client.get(
        "/graphql", params={"extensions": json.dumps(apq(sha256)["extensions"])}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "mutations are not allowed when using GET"
    )


def test_the_limits_apply_to_a_persisted_document(client: TestClient) -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(16))
    document = f"query Many {{ {aliases} }}"
    sha256 = hashlib.sha256(document.encode()).hexdigest()
    client.post("/graphql", json=apq(sha256, document))

    body = client.post("/graphql", json=apq(sha256)).json()

    assert body["data"] is None
    assert body["errors"][0]["message"] == "16 aliases found. Allowed: 15"


def test_a_document_that_does_not_parse_is_not_stored(
    world: World, client: TestClient
) -> None:
    document = "query { product(id: "
    sha256 = hashlib.sha256(document.encode()).hexdigest()

    client.post("/graphql", json=apq(sha256, document))

    assert not world.store.data
    assert client.post("/graphql", json=apq(sha256)).json()["errors"][0][
        "extensions"
    ] == {"code": "PERSISTED_QUERY_NOT_FOUND"}


def test_a_failing_store_only_costs_the_cross_process_lookup(
    world: World, client: TestClient
) -> None:
    lamp = world.products.add("Lamp")
    world.store.down = True

    client.post("/graphql", json=apq(PRODUCT_HASH, PRODUCT))
    response = client.post("/graphql", json=apq(PRODUCT_HASH, variables={"id": lamp}))

    assert response.json()["data"] == {"product": {"id": lamp, "name": "Lamp"}}
