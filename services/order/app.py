"""Composition root of the order service."""

from __future__ import annotations

from common import runtime, sidecar
from common.mysql import Database
from common.outbox import OutboxRelay
from protos.order.v1 import order_pb2_grpc
from protos.product.v1 import product_pb2_grpc
from services.order.adapters.database import SCHEMA
from services.order.adapters.product_client import ProductClient
from services.order.adapters.repository import MySQLOrderRepository
from services.order.adapters.stock_releases import MySQLStockReleases
from services.order.config import OrderSettings
from services.order.grpc_api import OrderServicer
from services.order.service import OrderService


def main() -> None:
    settings = OrderSettings()  # type: ignore[call-arg]  # ports come from env
    runtime.setup_logging(settings)
    db = Database(settings.mysql_url, settings.mysql_database)
    sidecar.retry_until(lambda: db.migrate(SCHEMA), what="MySQL")
    dapr = sidecar.make_client(settings)
    relay = OutboxRelay(db, sidecar.DaprPublisher(dapr, settings.pubsub_name))
    channel = sidecar.invocation_channel(settings)
    products = ProductClient(
        product_pb2_grpc.ProductServiceStub(channel),  # type: ignore[no-untyped-call]
        sidecar.invocation_metadata(settings, settings.product_app_id),
        timeout=settings.call_timeout,
    )
    releases = MySQLStockReleases(
        db, products, interval=settings.release_retry_interval
    )
    service = OrderService(MySQLOrderRepository(db, relay.notify), products, releases)

    app = runtime.new_app(settings)
    app.add_external_service(  # type: ignore[no-untyped-call]
        order_pb2_grpc.add_OrderServiceServicer_to_server, OrderServicer(service)
    )
    relay.start()
    releases.start()
    runtime.serve(
        settings,
        app,
        checks={"mysql": db.ping},
        on_shutdown=[releases.stop, relay.stop, channel.close, dapr.close, db.close],
    )
