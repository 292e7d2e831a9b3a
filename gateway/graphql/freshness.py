"""Read-your-writes: a mutation that changed products drops their cached
entries (Redis and this process's near cache, and every other gateway's near
cache through the catalog channel) before it returns, so the client's next
query through a gateway sees the change even before the product event does
the same.

A cache that cannot be reached is logged, not raised: the write happened, and
the product event retries the invalidation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from gateway.cache import StateStoreError
from gateway.clients import Order
from gateway.graphql.context import GatewayContext

log = logging.getLogger(__name__)


async def forget_products(context: GatewayContext, product_ids: Iterable[str]) -> None:
    ids = list(product_ids)
    try:
        await context.services.catalog.invalidate_many(ids)
    except StateStoreError as err:
        log.warning("cache not invalidated after a write of %s: %s", ids, err)


async def forget_order_products(context: GatewayContext, order: Order) -> None:
    """The products whose stock an order's placement or cancel moved."""
    await forget_products(context, (line.product_id for line in order.lines))
