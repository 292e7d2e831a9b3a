"""Load a small demo catalog into a running mesh (`make seed`).

Products are created through the gateway's sidecar with Dapr gRPC proxying to
the product service, exactly as the other services reach it. Running it twice
adds nothing new: a product whose name already exists is skipped.
"""

from __future__ import annotations

import sys

import grpc

from devmesh import ports, trust
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2, product_pb2_grpc

CATALOG = (
    ("Espresso cup", "Porcelain, 90 ml", "kitchen", 900, 40),
    ("Pour-over kettle", "Gooseneck, 1 l, stainless steel", "kitchen", 4900, 12),
    ("Hand grinder", "Ceramic burrs, 25 settings", "kitchen", 6500, 8),
    ("Canvas tote", "Heavy cotton, 15 l", "bags", 2200, 30),
    ("Rain jacket", "Packable, taped seams", "apparel", 11900, 5),
    ("Wool socks", "Merino blend, pair", "apparel", 1800, 60),
)


def main() -> int:
    # The gateway's sidecar, with the gateway's own API token (one per app).
    token = trust.api_tokens()["gateway"].dapr
    channel = grpc.insecure_channel(f"127.0.0.1:{ports.load().apps['gateway'].grpc}")
    # protoc writes no .pyi for *_pb2_grpc.py: the stub class is untyped.
    stub = product_pb2_grpc.ProductServiceStub(channel)  # type: ignore[no-untyped-call,unused-ignore]
    metadata = (("dapr-app-id", "product"), ("dapr-api-token", token))
    try:
        existing = {
            p.name
            for p in stub.ListProducts(
                product_pb2.ListProductsRequest(page_size=100),
                metadata=metadata,
                timeout=10,
            ).products
        }
    except grpc.RpcError as err:
        print(f"the mesh is not reachable ({err.code().name}): start it with `make up`")
        return 1
    for name, description, category, cents, stock in CATALOG:
        if name in existing:
            print(f"  = {name} (already there)")
            continue
        product = stub.CreateProduct(
            product_pb2.CreateProductRequest(
                name=name,
                description=description,
                category=category,
                price=money_pb2.Money(amount=cents, currency="USD"),
                stock=stock,
            ),
            metadata=metadata,
            timeout=10,
        )
        print(f"  + {name}: {product.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
