"""Per-request batching of product reads (BatchGetProducts)."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from gateway import clients


def product_loader(
    products: clients.ProductClient,
) -> DataLoader[str, clients.Product | None]:
    """Products by id; unknown ids load as None. An order list with N lines makes
    one BatchGetProducts call, not N GetProduct calls."""

    async def load(ids: list[str]) -> list[clients.Product | None]:
        found = {product.id: product for product in await products.batch_get(ids)}
        return [found.get(product_id) for product_id in ids]

    return DataLoader(load_fn=load, max_batch_size=100)
