"""The DataLoaders of one request, one per kind of read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from common.caller import Actor
from gateway.graphql.orders.loaders import order_loader
from gateway.graphql.products.loaders import product_loader
from gateway.graphql.users.loaders import user_loader
from gateway.services import GatewayServices


class Loaders:
    """Made per request (never shared between callers): each batches one kind
    of read per tick of the event loop and remembers what it loaded."""

    def __init__(
        self, services: GatewayServices, actor: Callable[[], Awaitable[Actor]]
    ) -> None:
        self.products = product_loader(services.products)
        self.users = user_loader(services.users, actor)
        self.orders = order_loader(services.orders, actor)
