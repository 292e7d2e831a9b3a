"""Composition root of the product service.

`build` wires settings, adapters, the use cases and their entry point (the
gRPC servicer); `main` serves them beside the sidecar until SIGTERM.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import MongoClient

from common import app_secrets, runtime, sidecar
from common.periodic import Periodic
from protos.product.v1 import product_pb2_grpc
from services.product.adapters.events import DaprProductEvents
from services.product.adapters.repository import MongoProductRepository
from services.product.adapters.reservations import MongoReservations
from services.product.adapters.stock_lock import DaprStockLock, NoStockLock
from services.product.config import ProductSettings
from services.product.grpc_api import ProductServicer
from services.product.service import ProductService, StockLock
from services.product.stock import StockService


def build(settings: ProductSettings) -> runtime.Assembly:
    dapr = sidecar.make_client(settings)
    url = app_secrets.database_url(
        dapr,
        settings.secret_store,
        settings.mongodb_url,
        settings.mongodb_password_secret,
        settings.mongodb_password_key,
    )
    mongo: MongoClient[dict[str, Any]] = MongoClient(
        url,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        socketTimeoutMS=10000,
        tz_aware=True,
    )
    repo = MongoProductRepository(mongo, settings.mongodb_database)
    reservations = MongoReservations(mongo, settings.mongodb_database)
    sidecar.retry_until(repo.ensure_indexes, what="MongoDB")
    reservations.ensure_indexes()
    lock: StockLock = NoStockLock()
    if settings.stock_lock_store:
        lock = DaprStockLock(
            dapr,
            settings.stock_lock_store,
            lease_seconds=settings.stock_lock_lease_seconds,
            wait_seconds=settings.stock_lock_wait_seconds,
        )
    events = DaprProductEvents(sidecar.DaprPublisher(dapr, settings.pubsub_name))
    stock = StockService(
        repo,
        reservations,
        lock,
        events,
        reservation_ttl=timedelta(seconds=settings.reservation_ttl_seconds),
    )
    sweep = Periodic(
        "reservation-expiry", settings.reservation_sweep_interval, stock.release_expired
    )

    app = runtime.new_app(settings)
    app.add_external_service(  # type: ignore[no-untyped-call]
        product_pb2_grpc.add_ProductServiceServicer_to_server,
        ProductServicer(ProductService(repo, events, lock), stock),
    )
    return runtime.Assembly(
        app,
        checks={"mongodb": repo.ping},
        start=(sweep.start,),
        stop=(sweep.stop, mongo.close, dapr.close),
    )


def main() -> None:
    runtime.run(ProductSettings(), build)
