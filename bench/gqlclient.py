"""Talking GraphQL to the gateway: request targets for vegeta, checks, tokens."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from bench.loadgen import HttpTarget
from devmesh.ports import load

PRODUCT = """query Product($id: ID!) {
  product(id: $id) { id name description category price { amount currency } stock }
}"""
PRODUCTS = """query Products($first: Int) {
  products(first: $first) {
    edges { cursor node { id name category price { amount currency } stock } }
    pageInfo { hasNextPage endCursor }
  }
}"""
FLOOR = "query Floor { __typename }"
ME = "query Me { me { id email } }"
PLACE_ORDER = """mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { __typename ... on Order { id status } }
}"""


def url() -> str:
    return f"http://127.0.0.1:{load().apps['gateway'].app}/graphql"


def target(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> HttpTarget:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    return HttpTarget("POST", url(), body, headers)


def persisted_target(
    query: str, variables: dict[str, Any] | None = None, *, with_document: bool
) -> HttpTarget:
    """An automatic persisted query (APQ): the document's sha256 in
    `extensions`, and the document itself only `with_document` (registering)."""
    body: dict[str, Any] = {
        "variables": variables or {},
        "extensions": {
            "persistedQuery": {
                "version": 1,
                "sha256Hash": hashlib.sha256(query.encode()).hexdigest(),
            }
        },
    }
    if with_document:
        body["query"] = query
    headers = {"Content-Type": "application/json"}
    return HttpTarget("POST", url(), json.dumps(body).encode(), headers)


def register_persisted(query: str, variables: dict[str, Any] | None = None) -> None:
    """Register a document under its hash, then check the hash alone runs it."""
    for with_document in (True, False):
        send(persisted_target(query, variables, with_document=with_document))


def answered(field: str) -> Callable[[int, bytes], bool]:
    """Success: HTTP 200, no `errors`, and `data.<field>` present and not null."""

    def check(status: int, body: bytes) -> bool:
        if status != 200:
            return False
        try:
            reply = json.loads(body)
        except ValueError:
            return False
        return (
            not reply.get("errors") and (reply.get("data") or {}).get(field) is not None
        )

    return check


def ask(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """One request; raises with the gateway's own words when it fails."""
    return send(target(query, variables, token))


def send(request: HttpTarget) -> dict[str, Any]:
    """POST one prepared request; its `data`, or GatewayRefused with the
    gateway's own words."""
    reply = httpx.post(
        request.url, content=request.body, headers=request.headers, timeout=10
    )
    if reply.status_code != 200:
        raise GatewayRefused(f"HTTP {reply.status_code}: {reply.text[:200]}")
    document = reply.json()
    if document.get("errors"):
        raise GatewayRefused(json.dumps(document["errors"])[:300])
    return dict(document.get("data") or {})


class GatewayRefused(RuntimeError):
    pass


def product_id_for(raw_id: str) -> str:
    """The GraphQL id of a product: the service's id, or a Relay global id."""
    try:
        if (ask(PRODUCT, {"id": raw_id}).get("product") or {}).get("id"):
            return raw_id
    except GatewayRefused:
        pass
    relay_id = global_id(raw_id)
    if (ask(PRODUCT, {"id": relay_id}).get("product") or {}).get("id"):
        return relay_id
    raise GatewayRefused(f"product {raw_id} is not found through GraphQL")


def global_id(raw_id: str) -> str:
    """A Relay global object id for a product."""
    return base64.b64encode(f"Product:{raw_id}".encode()).decode()


def token(issuer: str, subject: str, admin: bool = False) -> str:
    """An access token from the local OIDC provider (devmesh.tokens)."""
    from devmesh import tokens

    return tokens.get_token(subject, admin=admin, issuer_url=issuer)
