"""Composition root of the order service.

`build` wires settings, adapters, the use cases and their entry point (the
gRPC servicer); `main` starts the background workers (outbox relay, stock
release retries) and serves beside the sidecar until SIGTERM.
"""

from __future__ import annotations

from common import metrics, runtime, sidecar
from common.mysql_open import open_database
from common.outbox import MySQLOutbox, backlog
from common.outbox_relay import OutboxRelay
from common.outbox_upkeep import OutboxUpkeep
from common.periodic import Periodic
from protos.order.v1 import order_pb2_grpc
from protos.product.v1 import product_pb2_grpc
from services.order.adapters.database import SCHEMA
from services.order.adapters.product_client import ProductClient
from services.order.adapters.repository import MySQLOrderRepository
from services.order.adapters.stock_releases import MySQLStockReleases
from services.order.config import OrderSettings
from services.order.grpc_api import OrderServicer
from services.order.service import OrderService


def build(settings: OrderSettings) -> runtime.Assembly:
    dapr = sidecar.make_client(settings)
    db = open_database(
        dapr, settings.secret_store, settings, settings.mysql_database, SCHEMA
    )
    relay = OutboxRelay(
        MySQLOutbox(db, claim_seconds=settings.outbox_claim_seconds),
        sidecar.DaprPublisher(dapr, settings.pubsub_name),
    )
    upkeep = OutboxUpkeep(db, settings.outbox_retention_seconds)
    upkeep_pass = Periodic(
        "outbox-upkeep", settings.outbox_upkeep_interval, upkeep.run_once
    )
    channel = sidecar.invocation_channel(settings)
    products = ProductClient(
        product_pb2_grpc.ProductServiceStub(channel),
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
    return runtime.Assembly(
        app,
        checks={"mysql": db.ping},
        start=(
            relay.start,
            lambda: metrics.register_outbox(lambda: backlog(db)),
            releases.start,
            upkeep_pass.start,
        ),
        stop=(
            upkeep_pass.stop,
            releases.stop,
            relay.stop,
            channel.close,
            dapr.close,
            db.close,
        ),
    )


def main() -> None:
    runtime.run(OrderSettings(), build)
