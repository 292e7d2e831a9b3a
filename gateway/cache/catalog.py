"""Cached product reads: the near cache in the process, then Redis, then the
product service.

- `product:{id}` holds one product; `products:{hash}` one page of
  `products(...)`, valid only under the current `products:gen` (one bulk read
  fetches both). Bumping the generation orphans every cached page at once.
- Only catalog data is cached, never anything that depends on who asks.
- An invalidation (on `product-updated` / `stock-changed`) bumps the
  generation, deletes `product:{id}` twice (the second time after the lock
  TTL, so a fill that read the old product before the update cannot leave it
  behind for a whole TTL), then tells every gateway process to drop its near
  entries. It raises if any step fails, so the event is redelivered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict
from typing import Any

from redis.asyncio import Redis

from gateway.cache.near import PAGE_PREFIX, PRODUCT_PREFIX, NearCache
from gateway.cache.readthrough import ReadThroughCache
from gateway.clients import Money, Page, Product, ProductFilter
from gateway.fanout import ChannelListener

log = logging.getLogger(__name__)

GENERATION_KEY = "products:gen"
_CACHEABLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Tells the other gateway processes that a product changed (its id).
Broadcast = Callable[[str], Awaitable[None]]


async def _nobody(_product_id: str) -> None:
    return None


def product_to_json(product: Product) -> dict[str, Any]:
    return asdict(product)


def product_from_json(data: dict[str, Any]) -> Product:
    return Product(
        id=data["id"],
        name=data["name"],
        description=data["description"],
        category=data["category"],
        price=Money(**data["price"]),
        stock=data["stock"],
    )


class ProductCatalog:
    """Cached product reads; `invalidate` is what the product events call."""

    def __init__(
        self,
        cache: ReadThroughCache,
        near: NearCache | None = None,
        broadcast: Broadcast = _nobody,
    ) -> None:
        self._cache = cache
        self.near = near if near is not None else NearCache(ttl_seconds=0)
        self._broadcast = broadcast

    async def product(
        self, product_id: str, load: Callable[[], Awaitable[Product]]
    ) -> Product:
        if not _CACHEABLE_ID.match(product_id):
            return await load()
        key = PRODUCT_PREFIX + product_id
        near: Product | None = self.near.get(key)
        if near is not None:
            return near
        epoch = self.near.epoch

        async def fill() -> str:
            return json.dumps(product_to_json(await load()))

        product = product_from_json(
            json.loads(await self._cache.get_or_load(key, fill))
        )
        self.near.put(key, product, epoch)
        return product

    async def products(
        self,
        flt: ProductFilter,
        page_size: int,
        page_token: str,
        load: Callable[[], Awaitable[Page[Product]]],
        backward: bool = False,
    ) -> Page[Product]:
        asked: list[object] = [asdict(flt), page_size, page_token]
        if backward:  # forward pages keep the keys they always had
            asked.append("backward")
        query = json.dumps(asked, sort_keys=True)
        key = PAGE_PREFIX + hashlib.sha256(query.encode()).hexdigest()[:32]
        near: Page[Product] | None = self.near.get(key)
        if near is not None:
            return near
        epoch = self.near.epoch

        async def fill() -> str:
            page = await load()
            return json.dumps(
                {
                    "items": [product_to_json(p) for p in page.items],
                    "next": page.next_token,
                }
            )

        raw = await self._cache.get_or_load(key, fill, version_key=GENERATION_KEY)
        data = json.loads(raw)
        page = Page([product_from_json(p) for p in data["items"]], data["next"])
        self.near.put(key, page, epoch)
        return page

    async def invalidate(self, product_id: str) -> None:
        """Forget the product and every cached page, here and in every gateway
        process. Raises (so the event that asked for it is redelivered)."""
        await self.invalidate_many([product_id])

    async def invalidate_many(self, product_ids: Iterable[str]) -> None:
        """`invalidate` for several products (an order's), one generation bump."""
        ids = list(dict.fromkeys(product_ids))
        if not ids:
            return
        await self._cache.bump(GENERATION_KEY)
        for product_id in ids:
            if _CACHEABLE_ID.match(product_id):
                await self._cache.delete(
                    PRODUCT_PREFIX + product_id, again_after=self._cache.lock_seconds
                )
            self.forget_near(product_id)
            await self._broadcast(product_id)

    def forget_near(self, product_id: str) -> None:
        """Another process invalidated `product_id`: drop what this one holds."""
        self.near.forget_product(product_id)


def invalidation_listener(
    redis: Redis, channel: str, catalog: ProductCatalog, near: NearCache
) -> ChannelListener:
    """Drops the products other gateway processes announce on `channel` from
    this process's near cache, which is trusted only while subscribed."""
    return ChannelListener(
        redis,
        channel,
        on_message=lambda raw: catalog.forget_near(
            raw.decode() if isinstance(raw, bytes) else raw
        ),
        on_subscribed=near.connected,
        on_lost=near.disconnected,
    )
