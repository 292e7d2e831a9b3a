"""Composition root of the cart service.

`build` wires settings, adapters, the use cases and their entry point (the
gRPC servicer); `main` serves them beside the sidecar until SIGTERM. The cart
keeps nothing of its own: carts are in the `carts` state store, stock is asked
of the product service, both through the sidecar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dapr.ext.grpc import App

from common import runtime, sidecar
from protos.cart.v1 import cart_pb2_grpc
from protos.product.v1 import product_pb2_grpc
from services.cart.adapters.catalog import ProductCatalog
from services.cart.adapters.store import DaprCartStore
from services.cart.config import CartSettings
from services.cart.grpc_api import CartServicer
from services.cart.service import CartService


@dataclass(frozen=True)
class Assembly:
    """The wired process: what to serve, how to tell it is ready, start, stop."""

    app: App
    checks: dict[str, runtime.ReadinessCheck]
    start: tuple[Callable[[], None], ...]
    stop: tuple[Callable[[], None], ...]


def build(settings: CartSettings) -> Assembly:
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
    return Assembly(app, checks={}, start=(), stop=(channel.close, dapr.close))


def main() -> None:
    settings = CartSettings()
    runtime.setup_logging(settings)
    assembly = build(settings)
    for start in assembly.start:
        start()
    runtime.serve(settings, assembly.app, assembly.checks, list(assembly.stop))
