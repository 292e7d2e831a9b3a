"""The events the gateway receives from its sidecar (dapr-ext-fastapi).

- `product-updated`, `stock-changed`: forget the cached product and pages.
- `order-status-changed`: republish on the Redis fan-out channel, so the
  websocket subscribers of every gateway process see it.

Each delivery must carry the sidecar's APP_API_TOKEN (`dapr-api-token`); the
answer is Dapr's `{"status": SUCCESS | RETRY | DROP}`: undecodable events are
dropped (to the topic's dead-letter topic), failures are retried.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from dapr.ext.fastapi import DaprApp
from fastapi import Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from common import components, events, metrics, topics, tracing
from common.app_token import HEADER, token_matches
from common.events import Envelope, PoisonEvent
from gateway.cache import ProductCatalog
from gateway.fanout import OrderStatusEvent, OrderStatusFanout
from protos.events.v1 import events_pb2
from protos.order.v1 import order_pb2

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]


def _status(value: str, code: int = 200) -> JSONResponse:
    return JSONResponse({"status": value}, status_code=code)


async def deliver(
    request: Request, app_token: str | None, handle: Handler
) -> JSONResponse:
    if not token_matches(app_token, request.headers.get(HEADER)):
        log.warning("refused an event delivery without the sidecar's app token")
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    try:
        envelope = events.envelope_from_dict(await request.json())
    except (ValueError, PoisonEvent) as err:
        log.warning("dropping an undecodable event: %s", err)
        metrics.event_consumed("", "drop")
        return _status("DROP")
    span = tracing.current()  # the request's, continuing the sidecar's trace
    if span is not None:
        span.name, span.kind = f"consume {envelope.topic}", "CONSUMER"
    outcome = await _outcome(envelope, handle)
    metrics.event_consumed(envelope.topic, outcome.lower())
    return _status(outcome)


async def _outcome(envelope: Envelope, handle: Handler) -> str:
    try:
        await handle(envelope)
    except PoisonEvent as err:
        log.warning("dropping event %s on %s: %s", envelope.id, envelope.topic, err)
        return "DROP"
    except Exception:
        log.exception("event %s on %s failed; retrying", envelope.id, envelope.topic)
        return "RETRY"
    return "SUCCESS"


class EventHandlers:
    """What each topic does; the catalog and fan-out are looked up per call
    because the app's lifespan creates them after routes are registered."""

    def __init__(
        self,
        catalog: Callable[[], ProductCatalog],
        fanout: Callable[[], OrderStatusFanout],
    ) -> None:
        self._catalog = catalog
        self._fanout = fanout

    async def product_updated(self, envelope: Envelope) -> None:
        message = events.decode(envelope, events_pb2.ProductUpdated)
        if not message.product_id:
            raise PoisonEvent("ProductUpdated without a product id")
        await self._catalog().invalidate(message.product_id)

    async def stock_changed(self, envelope: Envelope) -> None:
        message = events.decode(envelope, events_pb2.StockChanged)
        if not message.product_id:
            raise PoisonEvent("StockChanged without a product id")
        await self._catalog().invalidate(message.product_id)

    async def order_status_changed(self, envelope: Envelope) -> None:
        message = events.decode(envelope, events_pb2.OrderStatusChanged)
        if not message.order_id:
            raise PoisonEvent("OrderStatusChanged without an order id")
        event = OrderStatusEvent(
            event_id=envelope.id,
            order_id=message.order_id,
            user_id=message.user_id,
            status=order_pb2.OrderStatus.Name(message.new_status),
        )
        try:
            await self._fanout().publish(event)
        except RedisError as err:
            raise RuntimeError(f"cannot fan out {envelope.id}: {err!r}") from err


def register(
    dapr_app: DaprApp,
    handlers: EventHandlers,
    app_token: str | None,
    pubsub: str = components.PUBSUB,
) -> None:
    """Subscribe the handlers, each with its topic's dead-letter topic."""
    routes: dict[str, Handler] = {
        topics.PRODUCT_UPDATED: handlers.product_updated,
        topics.STOCK_CHANGED: handlers.stock_changed,
        topics.ORDER_STATUS_CHANGED: handlers.order_status_changed,
    }
    for topic, handle in routes.items():
        dapr_app.subscribe(
            pubsub=pubsub,
            topic=topic,
            dead_letter_topic=topics.dead_letter(topic),
        )(_endpoint(topic, handle, app_token))


def _endpoint(
    topic: str, handle: Handler, app_token: str | None
) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        return await deliver(request, app_token, handle)

    endpoint.__name__ = f"on_{topic.replace('-', '_')}"
    return endpoint
