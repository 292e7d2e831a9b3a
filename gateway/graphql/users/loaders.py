"""Per-request batching of user reads (BatchGetUsers)."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from gateway import clients


def user_loader(users: clients.UserClient) -> DataLoader[str, clients.User | None]:
    """Users by id; unknown ids load as None."""

    async def load(ids: list[str]) -> list[clients.User | None]:
        found = {user.id: user for user in await users.batch_get(ids)}
        return [found.get(user_id) for user_id in ids]

    return DataLoader(load_fn=load, max_batch_size=100)
