"""GraphQL mutations through the mesh's gateway, answered as one word: the
result union's member (`Order`, `Unavailable`, ...) or the error's code."""

from __future__ import annotations

import uuid
from typing import Any

from devmesh.tokens import get_token
from tests.e2e.graphql import post_graphql

PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  __typename } }"""
CREATE = """mutation($input: CreateProductInput!) { createProduct(input: $input) {
  __typename } }"""


def answer(status: int, body: dict[str, Any], field: str) -> str:
    errors = body.get("errors") or []
    if errors:
        return str(errors[0].get("extensions", {}).get("code", f"HTTP {status}"))
    return str(((body.get("data") or {}).get(field) or {}).get("__typename"))


def place_order(token: str, product_id: str) -> str:
    variables = {
        "input": {
            "items": [{"productId": product_id, "quantity": 1}],
            "idempotencyKey": uuid.uuid4().hex,
        }
    }
    return answer(*post_graphql(PLACE, variables, token), "placeOrder")


def create_product(admin: str) -> str:
    variables = {
        "input": {
            "name": f"Fault {uuid.uuid4().hex[:6]}",
            "category": "faults",
            "price": {"amount": 900, "currency": "USD"},
            "stock": 5,
        }
    }
    return answer(*post_graphql(CREATE, variables, admin), "createProduct")


def login(shared_env: dict[str, str], label: str, admin: bool = False) -> str:
    """A new user's access token from the mesh's OIDC provider."""
    return get_token(
        f"{label}-{uuid.uuid4().hex[:6]}",
        admin=admin,
        issuer_url=shared_env["OIDC_ISSUER"],
    )
