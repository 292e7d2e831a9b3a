"""The process's one Dapr client, and what is built on it.

- `DaprPublisher`: publishes through the sidecar with our own CloudEvent id.
- `EventLedger`: processed-event ids in the `idempotency` state store; a claim
  is a first-write, so two deliveries of one event cannot both win.
- `invocation_channel` / `invocation_metadata`: gRPC calls to another app go to
  our own sidecar with `dapr-app-id` (Dapr's gRPC proxying).
"""

from __future__ import annotations

import logging
import time

import grpc
from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprGrpcError
from dapr.clients.grpc._state import Concurrency, StateOptions

from common import events
from common.settings import ServiceSettings

log = logging.getLogger(__name__)


def make_client(settings: ServiceSettings) -> DaprClient:
    # gRPC calls of the SDK time out after DAPR_API_TIMEOUT_SECONDS (env).
    return DaprClient(
        address=settings.sidecar_grpc_address,
        http_timeout_seconds=int(settings.call_timeout),
    )


def wait_for_sidecar(client: DaprClient, timeout: float = 60.0) -> None:
    client.wait(timeout)


class DaprPublisher:
    def __init__(self, client: DaprClient, pubsub: str) -> None:
        self._client = client
        self._pubsub = pubsub

    def publish(
        self, topic: str, payload: str, event_id: str, partition_key: str = ""
    ) -> None:
        self._client.publish_event(
            pubsub_name=self._pubsub,
            topic_name=topic,
            data=payload,
            data_content_type="application/json",
            publish_metadata=events.publish_metadata(event_id, topic, partition_key),
        )


class AlreadyClaimed(Exception):
    pass


class EventLedger:
    """Remembers which events (or side effects) were already handled."""

    def __init__(self, client: DaprClient, store: str, ttl_seconds: int = 7 * 86400):
        self._client = client
        self._store = store
        self._ttl = str(ttl_seconds)

    def seen(self, key: str) -> bool:
        return bool(self._client.get_state(self._store, key).data)

    def claim(self, key: str, value: str = "1", ttl_seconds: int | None = None) -> None:
        """Insert-if-absent; raises AlreadyClaimed when the key exists."""
        try:
            self._client.save_state(
                self._store,
                key,
                value,
                options=StateOptions(concurrency=Concurrency.first_write),
                state_metadata={"ttlInSeconds": str(ttl_seconds or self._ttl)},
            )
        except DaprGrpcError as err:
            code = err.code()  # type: ignore[no-untyped-call]  # dapr: unannotated
            if "failed to set key" in str(err) or code == grpc.StatusCode.ABORTED:
                raise AlreadyClaimed(key) from err
            raise

    def mark(self, key: str, value: str = "done") -> None:
        self._client.save_state(
            self._store, key, value, state_metadata={"ttlInSeconds": self._ttl}
        )

    def release(self, key: str) -> None:
        self._client.delete_state(self._store, key)


def invocation_channel(settings: ServiceSettings) -> grpc.Channel:
    """One long-lived channel to our sidecar, for every outbound service call."""
    return grpc.insecure_channel(
        settings.sidecar_grpc_address,
        options=[
            ("grpc.keepalive_time_ms", 30_000),
        ],
    )


def invocation_metadata(
    settings: ServiceSettings, app_id: str
) -> tuple[tuple[str, str], ...]:
    metadata: list[tuple[str, str]] = [("dapr-app-id", app_id)]
    if settings.dapr_api_token:
        metadata.append(("dapr-api-token", settings.dapr_api_token.get_secret_value()))
    return tuple(metadata)


def retry_until(fn: object, timeout: float = 60.0, what: str = "dependency") -> None:
    """Call `fn` until it stops raising (start-up ordering), then return."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fn()  # type: ignore[operator]
            return
        except Exception as err:
            if time.monotonic() > deadline:
                raise
            log.info("waiting for %s: %s", what, err)
            time.sleep(1)
