"""Per-request batching of user reads (BatchGetUsers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from strawberry.dataloader import DataLoader

from common.caller import Actor
from gateway import clients


def user_loader(
    users: clients.UserClient, actor: Callable[[], Awaitable[Actor]]
) -> DataLoader[str, clients.User | None]:
    """Users by id, as the acting user may see them (their own; any for an
    admin with orders:write); unknown or hidden ids load as None."""

    async def load(ids: list[str]) -> list[clients.User | None]:
        found = {
            user.id: user for user in await users.batch_get(ids, actor=await actor())
        }
        return [found.get(user_id) for user_id in ids]

    return DataLoader(load_fn=load, max_batch_size=100)
