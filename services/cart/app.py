"""Composition root of the cart service.

`build` wires settings, adapters, the use cases and their entry point (the
gRPC servicer); `main` serves them beside the sidecar until SIGTERM. The cart
keeps nothing of its own: carts are in the `carts` state store, stock is asked
of the product service, both through the sidecar.
"""

from __future__ import annotations

from common import runtime, sidecar
from protos.cart.v1 import cart_pb2_grpc
from protos.product.v1 import product_pb2_grpc
from services.cart.adapters.catalog import ProductCatalog
from services.cart.adapters.store import DaprCartStore
from services.cart.config import CartSettings
from services.cart.grpc_api import CartServicer
from services.cart.service import CartService


def build(settings: CartSettings) -> runtime.Assembly:
    dapr = sidecar.make_client(settings)
    channel = sidecar.invocation_channel(settings)
    catalog = ProductCatalog(
        product_pb2_grpc.ProductServiceStub(channel),
        sidecar.invocation_metadata(settings, settings.product_app_id),
        timeout=settings.call_timeout,
    )
    service = CartService(
        DaprCartStore(dapr, settings.cart_store),
        catalog,
        ttl_seconds=settings.cart_ttl_seconds,
        max_line_quantity=settings.max_line_quantity,
    )
    app = runtime.new_app(settings)
    app.add_external_service(  # type: ignore[no-untyped-call]
        cart_pb2_grpc.add_CartServiceServicer_to_server, CartServicer(service)
    )
    return runtime.Assembly(app, checks={}, start=(), stop=(channel.close, dapr.close))


def main() -> None:
    runtime.run(CartSettings(), build)
