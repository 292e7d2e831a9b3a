"""Query fields of orders: the caller's own (admins with orders:write: any)."""

from __future__ import annotations

from collections.abc import Awaitable

import strawberry

from gateway import clients
from gateway.graphql.common import PageInfo
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.orders.types import Order, OrderConnection, OrderEdge
from gateway.graphql.paging import HOW_TO_PAGE, page_args, read_page
from gateway.graphql.permissions import ORDERS_WRITE, IsAuthenticated


@strawberry.type
class OrderQueries:
    @strawberry.field(
        description="Null when there is no such order or it is someone else's.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def order(self, info: GatewayInfo, id: strawberry.ID) -> Order | None:
        context = info.context
        # The service checks ownership (NOT_FOUND for another owner's order).
        owner = "" if context.has(ORDERS_WRITE) else await context.user_id()
        order = await context.loaders.orders.load((str(id), owner))
        return Order.from_domain(order) if order is not None else None

    @strawberry.field(
        description=f"The caller's own orders, newest first. {HOW_TO_PAGE}",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def orders(
        self,
        info: GatewayInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrderConnection:
        context = info.context
        settings = context.settings
        args = page_args(
            first,
            after,
            last,
            before,
            settings.graphql_default_page_size,
            settings.graphql_max_page_size,
        )
        actor = await context.actor()
        service = context.services.orders

        def fetch(
            size: int, token: str, backward: bool
        ) -> Awaitable[clients.Page[clients.Order]]:
            return service.list_for_user(
                actor.user_id, size, token, actor=actor, backward=backward
            )

        window = await read_page(args, fetch)
        return OrderConnection(
            edges=[
                OrderEdge(cursor=cursor, node=Order.from_domain(order))
                for cursor, order in window.edges
            ],
            page_info=PageInfo.of(window),
        )
