"""Place one demo order through the gateway and print where to see its trace.

`python -m devmesh.demo` (Tilt's `demo-order` button): logs in as `demo` at
the local OIDC provider, orders one unit of the first product in stock (run
`seed` first on an empty catalog) and prints the order, its trace id and the
trace's page in Zipkin. It goes through the front door, like a client.
"""

from __future__ import annotations

import json
import sys
import urllib.request
import uuid
from typing import Any

from devmesh import launcher, ports
from devmesh.launcher.zipkin import trace_url
from devmesh.tokens import TokenError, get_token

PRODUCTS = "{ products(first: 20) { edges { node { id name stock } } } }"
PLACE_ORDER = """mutation($order: PlaceOrderInput!) { placeOrder(input: $order) {
  __typename ... on Order { id status total { amount currency } }
  ... on UserError { message } } }"""


def graphql(
    query: str, variables: dict[str, Any], token: str
) -> tuple[dict[str, Any], str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{ports.load().apps['gateway'].app}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        body = json.loads(response.read())
    if body.get("errors"):
        raise SystemExit(f"the gateway refused: {body['errors']}")
    return body["data"], body.get("extensions", {}).get("traceId", "")


def main() -> int:
    issuer = launcher.shared_env(launcher.profile())["OIDC_ISSUER"]
    try:
        token = get_token("demo", issuer_url=issuer)
        data, _ = graphql(PRODUCTS, {}, token)
    except (TokenError, OSError) as err:
        print(f"the mesh is not reachable ({err}): start it with `make up`")
        return 1
    stocked = [e["node"] for e in data["products"]["edges"] if e["node"]["stock"] > 0]
    if not stocked:
        print("no product in stock: run `seed` (or `make seed`) first")
        return 1
    product = stocked[0]
    order = {
        "items": [{"productId": product["id"], "quantity": 1}],
        "idempotencyKey": f"demo-{uuid.uuid4().hex[:12]}",
    }
    data, trace_id = graphql(PLACE_ORDER, {"order": order}, token)
    placed = data["placeOrder"]
    print(f"ordered 1 x {product['name']}: {json.dumps(placed)}")
    print(f"trace {trace_id}: {trace_url(trace_id)}")
    print("(the confirmation email follows within a second: see Mail)")
    return 0 if placed["__typename"] == "Order" else 1


if __name__ == "__main__":
    sys.exit(main())
