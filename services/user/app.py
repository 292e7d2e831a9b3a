"""Composition root of the user service."""

from __future__ import annotations

from common import runtime, sidecar
from common.mysql import Database
from common.outbox import OutboxRelay
from protos.user.v1 import user_pb2_grpc
from services.user import subscriptions
from services.user.adapters.notifications import DaprOrderNotifications
from services.user.adapters.repository import SCHEMA, MySQLUserRepository
from services.user.config import UserSettings
from services.user.grpc_api import UserServicer
from services.user.service import UserService


def main() -> None:
    settings = UserSettings()  # type: ignore[call-arg]  # ports come from env
    runtime.setup_logging(settings)
    db = Database(settings.mysql_url, settings.mysql_database)
    sidecar.retry_until(lambda: db.migrate(SCHEMA), what="MySQL")
    dapr = sidecar.make_client(settings)
    publisher = sidecar.DaprPublisher(dapr, settings.pubsub_name)
    relay = OutboxRelay(db, publisher)
    service = UserService(MySQLUserRepository(db, relay.notify))

    app = runtime.new_app(settings)
    app.add_external_service(  # type: ignore[no-untyped-call]
        user_pb2_grpc.add_UserServiceServicer_to_server, UserServicer(service)
    )
    subscriptions.register(
        app,
        settings.pubsub_name,
        subscriptions.OrderEventHandlers(service, DaprOrderNotifications(publisher)),
    )
    relay.start()
    runtime.serve(
        settings,
        app,
        checks={"mysql": db.ping},
        on_shutdown=[relay.stop, dapr.close, db.close],
    )
