"""A subscriber of orderStatusChanged over graphql-transport-ws, on a thread of
its own, as a browser tab would be: it stays connected to one gateway until
that gateway goes away, and can subscribe again elsewhere."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import websockets

from tests.e2e.graphql import gateway_url

SUBSCRIPTION = (
    "subscription($id: ID!, $after: DateTime) {"
    " orderStatusChanged(orderId: $id, afterUpdatedAt: $after) { status updatedAt } }"
)


class Watcher:
    def __init__(self, token: str, order_id: str) -> None:
        self.token = token
        self.order_id = order_id
        self.seen: list[tuple[str, str]] = []  # (status, updatedAt) as received
        self.disconnected = threading.Event()

    @property
    def statuses(self) -> list[str]:
        return [status for status, _ in self.seen]

    @property
    def last_updated_at(self) -> str | None:
        return self.seen[-1][1] if self.seen else None

    def watch(self, port: int | None = None, after: str | None = None) -> None:
        """Connects (to the mesh's gateway, or the one on `port`) and subscribes,
        resuming after `after`; returns once the subscription is in place."""
        self.disconnected.clear()
        subscribed = threading.Event()
        threading.Thread(
            target=lambda: asyncio.run(self._run(port, after, subscribed)),
            daemon=True,
        ).start()
        assert subscribed.wait(15), "could not subscribe"
        time.sleep(1.0)  # the gateway registers the subscription

    async def _run(
        self, port: int | None, after: str | None, subscribed: threading.Event
    ) -> None:
        url = gateway_url(port=port).replace("http://", "ws://")
        try:
            async with websockets.connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            ) as ws:
                auth = {"Authorization": f"Bearer {self.token}"}
                await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
                ack = json.loads(await ws.recv())
                assert ack["type"] == "connection_ack", ack
                variables = {"id": self.order_id, "after": after}
                payload = {"query": SUBSCRIPTION, "variables": variables}
                await ws.send(
                    json.dumps({"id": "1", "type": "subscribe", "payload": payload})
                )
                subscribed.set()
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "next":
                        data = message["payload"]["data"]["orderStatusChanged"]
                        self.seen.append((data["status"], data["updatedAt"]))
        except (OSError, websockets.ConnectionClosed):
            pass
        finally:
            self.disconnected.set()

    def wait_for(self, count: int, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.statuses
