"""orderStatusChanged: the order, refetched after each status change event
(with the status that event set, see `as_of_event`).

Events reach this process through gateway.fanout (Redis pub/sub), whichever
gateway process Dapr delivered them to. Only the order's owner may subscribe.

A client that lost its connection (its gateway died, say) subscribes again,
on any gateway, with `afterUpdatedAt`: the `updatedAt` of the last order it
saw. If the order changed since, its current state comes first; live events
of that change or of earlier ones, arriving late, are then not shown again.
Several changes made while the client was away are seen as their result.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

import strawberry

from gateway import clients
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import api_error
from gateway.graphql.orders.types import Order
from gateway.graphql.permissions import IsAuthenticated

# Where each status stands in the lifecycle (it only moves forward).
STEP = {"PENDING": 0, "CONFIRMED": 1, "SHIPPED": 2, "DELIVERED": 3, "CANCELLED": 3}


def as_of_event(order: clients.Order, status: str) -> Order:
    """The order as fetched, with the status this event moved it to: when two
    changes come quickly, the refetch after the first may already show the
    second, and the subscriber must still see every step."""
    if status in clients.OrderStatus.__members__:
        order = replace(order, status=clients.OrderStatus[status])
    return Order.from_domain(order)


def changed_since(order: clients.Order, seen: datetime | None) -> bool:
    """Whether the client, which last saw the order as of `seen`, missed a change."""
    if seen is None:
        return False
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return order.updated_at > seen


def already_shown(status: str, replayed: str | None) -> bool:
    """A live event of the replayed change, or of an earlier one, come late."""
    if replayed is None:
        return False
    return STEP.get(status, 99) <= STEP.get(replayed, -1)


@strawberry.type
class OrderSubscriptions:
    @strawberry.subscription(
        description="Emits the order each time its status changes (owner only).",
        permission_classes=[IsAuthenticated],
    )
    async def order_status_changed(
        self,
        info: GatewayInfo,
        order_id: strawberry.ID,
        after_updated_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="Resume: the updatedAt of the last order the client"
                " saw (on any gateway). If the order changed since, its current"
                " state is sent first."
            ),
        ] = None,
    ) -> AsyncGenerator[Order, None]:
        context = info.context
        services = context.services
        order_id = strawberry.ID(str(order_id))
        # Listen first, so no change between the check and the listening is lost.
        async with services.fanout.subscribe(str(order_id)) as events:
            try:
                actor = await context.actor()
                current = await services.orders.get(
                    str(order_id), actor.user_id, actor=actor
                )
            except clients.ServiceError as err:
                raise api_error(err) from err
            replayed: str | None = None
            if changed_since(current, after_updated_at):
                replayed = current.status.name
                yield Order.from_domain(current)
            seen: deque[str] = deque(maxlen=64)  # deliveries are at least once
            async for event in events:
                if event.event_id in seen or already_shown(event.status, replayed):
                    continue
                seen.append(event.event_id)
                try:
                    order = await services.orders.get(
                        str(order_id), actor.user_id, actor=actor
                    )
                except clients.ServiceError as err:
                    raise api_error(err) from err
                yield as_of_event(order, event.status)
