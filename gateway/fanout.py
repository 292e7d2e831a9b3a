"""Order status changes fanned out to every gateway process over Redis pub/sub.

Dapr delivers each `order-status-changed` event to ONE gateway process (all
share the app id, hence one consumer group), but the websocket waiting for it
may be on another. So the receiving process publishes the event on a Redis
channel, and every process (itself included) listens on that channel and
hands the event to its local subscribers of that order.

Delivery to a subscriber is best effort: a subscriber that falls behind by more
than `queue_size` events loses the oldest (it refetches the order anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrderStatusEvent:
    event_id: str
    order_id: str
    user_id: str
    status: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> OrderStatusEvent:
        data = json.loads(raw)
        return cls(
            event_id=str(data["event_id"]),
            order_id=str(data["order_id"]),
            user_id=str(data.get("user_id", "")),
            status=str(data.get("status", "")),
        )


class ChannelListener:
    """One Redis pub/sub subscription, kept up for the life of the process:
    each message goes to `on_message`; `on_subscribed` / `on_lost` say when
    messages can (and can no longer) be relied on."""

    def __init__(
        self,
        redis: Redis,
        channel: str,
        on_message: Callable[[str | bytes], None],
        on_subscribed: Callable[[], None] = lambda: None,
        on_lost: Callable[[], None] = lambda: None,
    ) -> None:
        self._redis = redis
        self.channel = channel
        self._on_message = on_message
        self._on_subscribed = on_subscribed
        self._on_lost = on_lost
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(
                self._listen(), name=f"listen {self.channel}"
            )

    async def wait_listening(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout)
        return self.listening

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def _lost(self) -> None:
        if self._listening.is_set():
            self._listening.clear()
            self._on_lost()

    async def _listen(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._on_subscribed()
                    self._listening.set()
                    backoff = 0.1
                    log.info("listening on Redis channel %s", self.channel)
                    while True:
                        message: dict[str, Any] | None = await pubsub.get_message(
                            timeout=1.0
                        )
                        if message is not None and message.get("type") == "message":
                            self._on_message(message["data"])
            except asyncio.CancelledError:
                self._lost()
                raise
            except (RedisError, OSError) as err:
                self._lost()
                log.warning(
                    "channel %s lost (%r); reconnecting in %.1f s",
                    self.channel,
                    err,
                    backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)


class OrderStatusFanout:
    def __init__(self, redis: Redis, channel: str, queue_size: int = 16) -> None:
        self._redis = redis
        self._channel = channel
        self._queue_size = queue_size
        self._subscribers: dict[str, set[asyncio.Queue[OrderStatusEvent]]] = {}
        self._listener = ChannelListener(redis, channel, self.dispatch)

    @property
    def listening(self) -> bool:
        return self._listener.listening

    async def publish(self, event: OrderStatusEvent) -> None:
        """To every gateway process. Raises RedisError (the delivery is retried)."""
        await self._redis.publish(self._channel, event.to_json())

    def start(self) -> None:
        self._listener.start()

    async def wait_listening(self, timeout: float) -> bool:
        return await self._listener.wait_listening(timeout)

    async def stop(self) -> None:
        await self._listener.stop()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, order_id: str
    ) -> AsyncIterator[AsyncIterator[OrderStatusEvent]]:
        """`async with fanout.subscribe(id) as events: async for event in events`."""
        queue: asyncio.Queue[OrderStatusEvent] = asyncio.Queue(self._queue_size)
        self._subscribers.setdefault(order_id, set()).add(queue)

        async def events() -> AsyncIterator[OrderStatusEvent]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            queues = self._subscribers.get(order_id)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._subscribers[order_id]

    def subscriber_count(self, order_id: str | None = None) -> int:
        if order_id is not None:
            return len(self._subscribers.get(order_id, ()))
        return sum(len(queues) for queues in self._subscribers.values())

    def dispatch(self, raw: str | bytes) -> None:
        """Hand one channel message to the local subscribers of its order."""
        try:
            event = OrderStatusEvent.from_json(raw)
        except (ValueError, KeyError, TypeError) as err:
            log.warning("ignoring malformed fan-out message: %s", err)
            return
        for queue in self._subscribers.get(event.order_id, ()):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)
