"""Composition root of the product service."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

from common import runtime, sidecar
from protos.product.v1 import product_pb2_grpc
from services.product.adapters.events import DaprProductEvents
from services.product.adapters.repository import MongoProductRepository
from services.product.config import ProductSettings
from services.product.grpc_api import ProductServicer
from services.product.service import ProductService


def main() -> None:
    settings = ProductSettings()
    runtime.setup_logging(settings)
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
    app.add_external_service(
        product_pb2_grpc.add_ProductServiceServicer_to_server, ProductServicer(service)
    )
    runtime.serve(
        settings,
        app,
        checks={"mongodb": repo.ping},
        on_shutdown=[mongo.close, dapr.close],
    )
