"""GraphQL over HTTP against a gateway of the running mesh (real network)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import websockets

from devmesh import ports

ORDER_FIELDS = "id status total { amount currency } items { productId quantity }"


def gateway_url(path: str = "/graphql", port: int | None = None) -> str:
    """The mesh's gateway, or another gateway process on `port`."""
    return f"http://127.0.0.1:{port or ports.load().apps['gateway'].app}{path}"


def post_graphql(
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    port: int | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(gateway_url(port=port), data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else {}


def gql(
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    port: int | None = None,
) -> Any:
    status, body = post_graphql(query, variables, token, port)
    assert status == 200 and not body.get("errors"), (status, body)
    return body["data"]


def create_product(admin: str, stock: int) -> dict[str, Any]:
    data = gql(
        """mutation($input: CreateProductInput!) { createProduct(input: $input) {
             __typename ... on Product { id stock } ... on UserError { message } } }""",
        {
            "input": {
                "name": f"E2E {uuid.uuid4().hex[:6]}",
                "category": "e2e",
                "price": {"amount": 2500, "currency": "USD"},
                "stock": stock,
            }
        },
        admin,
    )
    assert data["createProduct"]["__typename"] == "Product", data
    return dict(data["createProduct"])


def place_order(token: str, product_id: str, qty: int) -> dict[str, Any]:
    data = gql(
        f"""mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{
              __typename ... on Order {{ {ORDER_FIELDS} }}
              ... on UserError {{ message }} }} }}""",
        {
            "input": {
                "items": [{"productId": product_id, "quantity": qty}],
                "idempotencyKey": uuid.uuid4().hex,
            }
        },
        token,
    )
    return dict(data["placeOrder"])


def product_stock(product_id: str) -> int:
    data = gql("query($id: ID!) { product(id: $id) { stock } }", {"id": product_id})
    return int(data["product"]["stock"])


def watch_order_status(
    token: str, order_id: str, admin: str, statuses: list[str], port: int | None = None
) -> list[str]:
    """Subscribe to `orderStatusChanged` over graphql-transport-ws as `token`,
    move the order through `statuses` as `admin`, and return the statuses the
    subscription delivered (as many as were set)."""
    url = gateway_url(port=port).replace("http://", "ws://")

    async def watch() -> list[str]:
        seen: list[str] = []
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"Authorization": f"Bearer {token}"},
                    }
                )
            )
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert ack["type"] == "connection_ack", ack
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {
                            "query": "subscription($id: ID!) {"
                            " orderStatusChanged(orderId: $id) { id status } }",
                            "variables": {"id": order_id},
                        },
                    }
                )
            )
            await asyncio.sleep(1.0)  # let the subscription register before changes
            for status in statuses:
                await asyncio.to_thread(
                    gql,
                    "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id,"
                    " status: $s) { __typename } }",
                    {"id": order_id, "s": status},
                    admin,
                )
            while len(seen) < len(statuses):
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if message["type"] == "next":
                    seen.append(
                        message["payload"]["data"]["orderStatusChanged"]["status"]
                    )
        return seen

    return asyncio.run(watch())
