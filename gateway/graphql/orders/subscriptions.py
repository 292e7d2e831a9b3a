"""orderStatusChanged: the order, refetched after each status change event
(with the status that event set, see `as_of_event`).

Events reach this process through gateway.fanout (Redis pub/sub), whichever
gateway process Dapr delivered them to. Only the order's owner may subscribe.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import replace

import strawberry

from gateway import clients
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import api_error
from gateway.graphql.orders.types import Order
from gateway.graphql.permissions import IsAuthenticated


def as_of_event(order: clients.Order, status: str) -> Order:
    """The order as fetched, with the status this event moved it to: when two
    changes come quickly, the refetch after the first may already show the
    second, and the subscriber must still see every step."""
    if status in clients.OrderStatus.__members__:
        order = replace(order, status=clients.OrderStatus[status])
    return Order.from_domain(order)


@strawberry.type
class OrderSubscriptions:
    @strawberry.subscription(
        description="Emits the order each time its status changes (owner only).",
        permission_classes=[IsAuthenticated],
    )
    async def order_status_changed(
        self, info: GatewayInfo, order_id: strawberry.ID
    ) -> AsyncGenerator[Order, None]:
        context = info.context
        services = context.services
        order_id = strawberry.ID(str(order_id))
        # Listen first, so no change between the check and the listening is lost.
        async with services.fanout.subscribe(str(order_id)) as events:
            try:
                actor = await context.actor()
                await services.orders.get(str(order_id), actor.user_id, actor=actor)
            except clients.ServiceError as err:
                raise api_error(err) from err
            seen: deque[str] = deque(maxlen=64)  # deliveries are at least once
            async for event in events:
                if event.event_id in seen:
                    continue
                seen.append(event.event_id)
                try:
                    order = await services.orders.get(
                        str(order_id), actor.user_id, actor=actor
                    )
                except clients.ServiceError as err:
                    raise api_error(err) from err
                yield as_of_event(order, event.status)
