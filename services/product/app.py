"""Composition root of the product service.

`build` wires settings, adapters, the use cases and their entry point (the
gRPC servicer); `main` serves them beside the sidecar until SIGTERM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dapr.ext.grpc import App
from pymongo import MongoClient

from common import runtime, sidecar
from protos.product.v1 import product_pb2_grpc
from services.product.adapters.events import DaprProductEvents
from services.product.adapters.repository import MongoProductRepository
from services.product.config import ProductSettings
from services.product.grpc_api import ProductServicer
from services.product.service import ProductService


@dataclass(frozen=True)
class Assembly:
    """The wired process: what to serve, how to tell it is ready, start, stop."""

    app: App
    checks: dict[str, runtime.ReadinessCheck]
    start: tuple[Callable[[], None], ...]
    stop: tuple[Callable[[], None], ...]


def build(settings: ProductSettings) -> Assembly:
    mongo: MongoClient[dict[str, Any]] = MongoClient(
        settings.mongodb_url,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        socketTimeoutMS=10000,
        tz_aware=True,
    )
    repo = MongoProductRepository(
        mongo, settings.mongodb_database, settings.serialize_stock_updates
    )
    sidecar.retry_until(repo.ensure_indexes, what="MongoDB")
    dapr = sidecar.make_client(settings)
    service = ProductService(
        repo, DaprProductEvents(sidecar.DaprPublisher(dapr, settings.pubsub_name))
    )

    app = runtime.new_app(settings)
    app.add_external_service(  # type: ignore[no-untyped-call]
        product_pb2_grpc.add_ProductServiceServicer_to_server, ProductServicer(service)
    )
    return Assembly(
        app, checks={"mongodb": repo.ping}, start=(), stop=(mongo.close, dapr.close)
    )


def main() -> None:
    settings = ProductSettings()
    runtime.setup_logging(settings)
    assembly = build(settings)
    for start in assembly.start:
        start()
    runtime.serve(settings, assembly.app, assembly.checks, list(assembly.stop))
