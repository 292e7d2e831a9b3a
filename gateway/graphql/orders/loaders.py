"""Per-request order reads: one GetOrder per (order, owner) however often a
query names it (the service has no batch read, so the calls run concurrently)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from strawberry.dataloader import DataLoader

from common.caller import Actor
from gateway import clients

OrderKey = tuple[str, str]  # (order id, owner id or "" for any owner)


def order_loader(
    orders: clients.OrderClient, actor: Callable[[], Awaitable[Actor]]
) -> DataLoader[OrderKey, clients.Order | None]:
    """Orders by (id, owner); None when absent or not the owner's."""

    async def load_one(key: OrderKey) -> clients.Order | Exception | None:
        order_id, owner_id = key
        try:
            return await orders.get(order_id, owner_id, actor=await actor())
        except clients.NotFound:
            return None
        except clients.ServiceError as err:
            return err

    async def load(keys: list[OrderKey]) -> list[clients.Order | Exception | None]:
        return list(await asyncio.gather(*(load_one(key) for key in keys)))

    return DataLoader(load_fn=load, max_batch_size=20)
