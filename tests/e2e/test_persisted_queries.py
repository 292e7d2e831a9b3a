"""Automatic persisted queries on the real gateway, stored through its sidecar's
state API (Redis): a hash-only request works once the document is registered,
an unknown hash is refused the standard way, a wrong hash is refused."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from tests.e2e.graphql import gateway_url

pytestmark = pytest.mark.e2e


def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        gateway_url(),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def test_a_registered_document_runs_by_its_hash_alone(mesh: object) -> None:
    # A document no other test sends, so its hash is new to this mesh.
    search = uuid.uuid4().hex
    query = (
        f'{{ products(first: 1, filter: {{search: "{search}"}}) '
        "{ edges { cursor } } }"
    )
    digest = hashlib.sha256(query.encode()).hexdigest()

    status, body = post({"extensions": persisted(digest)})
    assert status == 200
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    status, body = post({"query": query, "extensions": persisted(digest)})
    assert (status, body.get("errors")) == (200, None)

    status, body = post({"extensions": persisted(digest)})
    assert (status, body.get("errors")) == (200, None)
    assert body["data"] == {"products": {"edges": []}}


def test_a_document_that_does_not_match_its_hash_is_refused(mesh: object) -> None:
    query = "{ products(first: 1) { edges { cursor } } }"
    status, body = post({"query": query, "extensions": persisted("0" * 64)})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
