"""Composition root of the user service.

`build` wires settings, adapters, the use cases and their entry points (the
gRPC servicer, the subscriptions); `main` starts what runs in the background
and serves beside the sidecar until SIGTERM.
"""

from __future__ import annotations

from common import metrics, runtime, sidecar
from common.mysql_open import open_database
from common.outbox import MySQLOutbox, backlog
from common.outbox_relay import OutboxRelay
from common.outbox_upkeep import OutboxUpkeep
from common.periodic import Periodic
from protos.user.v1 import user_pb2_grpc
from services.user import subscriptions
from services.user.adapters.notifications import DaprOrderNotifications
from services.user.adapters.repository import SCHEMA, MySQLUserRepository
from services.user.config import UserSettings
from services.user.grpc_api import UserServicer
from services.user.service import UserService


def build(settings: UserSettings) -> runtime.Assembly:
    dapr = sidecar.make_client(settings)
    db = open_database(
        dapr, settings.secret_store, settings, settings.mysql_database, SCHEMA
    )
    publisher = sidecar.DaprPublisher(dapr, settings.pubsub_name)
    relay = OutboxRelay(
        MySQLOutbox(db, claim_seconds=settings.outbox_claim_seconds), publisher
    )
    upkeep = OutboxUpkeep(db, settings.outbox_retention_seconds)
    upkeep_pass = Periodic(
        "outbox-upkeep", settings.outbox_upkeep_interval, upkeep.run_once
    )
    service = UserService(
        MySQLUserRepository(db, relay.notify), DaprOrderNotifications(publisher)
    )

    app = runtime.new_app(settings)
    app.add_external_service(  # type: ignore[no-untyped-call]
        user_pb2_grpc.add_UserServiceServicer_to_server, UserServicer(service)
    )
    subscriptions.register(
        app,
        settings.pubsub_name,
        subscriptions.OrderEventHandlers(service),
        notes=sidecar.EventLedger(dapr, settings.idempotency_store),
    )
    return runtime.Assembly(
        app,
        checks={"mysql": db.ping},
        start=(
            relay.start,
            lambda: metrics.register_outbox(lambda: backlog(db)),
            upkeep_pass.start,
        ),
        stop=(upkeep_pass.stop, relay.stop, dapr.close, db.close),
    )


def main() -> None:
    runtime.run(UserSettings(), build)
