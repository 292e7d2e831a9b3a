"""The product service as the gateway sees it, in memory."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from common.caller import PRODUCTS_WRITE, Actor
from gateway import clients
from tests.unit.gateway.fake_identity import (
    require_permission,
)
from tests.unit.gateway.fake_pages import offset_page


class FakeProducts:
    def __init__(self) -> None:
        self.by_id: dict[str, clients.Product] = {}
        self.calls: Counter[str] = Counter()
        self.batches: list[list[str]] = []
        self.fail: Exception | None = None
        self.delay = 0.0
        self._ids = itertools.count(1)

    async def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail

    def add(self, name: str, amount: int = 1000, stock: int = 10, **kw: Any) -> str:
        product_id = f"p{next(self._ids)}"
        self.by_id[product_id] = clients.Product(
            product_id,
            name,
            kw.get("description", ""),
            kw.get("category", "misc"),
            clients.Money(amount, "USD"),
            stock,
        )
        return product_id

    async def get(self, product_id: str) -> clients.Product:
        await self._check("get")
        if product_id not in self.by_id:
            raise clients.NotFound(product_id)
        return self.by_id[product_id]

    async def batch_get(self, ids: Sequence[str]) -> list[clients.Product]:
        await self._check("batch_get")
        self.batches.append(list(ids))
        return [self.by_id[i] for i in ids if i in self.by_id]

    async def list(
        self,
        flt: clients.ProductFilter,
        page_size: int,
        page_token: str,
        backward: bool = False,
    ) -> clients.Page[clients.Product]:
        await self._check("list")
        items = [
            p
            for p in reversed(list(self.by_id.values()))
            if (not flt.category or p.category == flt.category)
            and (flt.min_price is None or p.price.amount >= flt.min_price)
            and (flt.max_price is None or p.price.amount <= flt.max_price)
            and (not flt.search or flt.search.lower() in p.name.lower())
        ]
        if page_token and not page_token.isdigit():
            raise clients.InvalidArgument(
                [
                    clients.FieldProblem(
                        "pageToken", "is not a cursor this service issued"
                    )
                ]
            )
        return offset_page(items, page_size, page_token, backward)

    async def create(
        self, draft: clients.ProductDraft, *, actor: Actor
    ) -> clients.Product:
        await self._check("create")
        require_permission(actor, PRODUCTS_WRITE)
        if not draft.name.strip():
            raise clients.InvalidArgument(
                [clients.FieldProblem("name", "must not be empty")]
            )
        product_id = f"p{next(self._ids)}"
        product = clients.Product(
            product_id,
            draft.name,
            draft.description,
            draft.category,
            draft.price,
            draft.stock,
        )
        self.by_id[product_id] = product
        return product

    async def update(
        self, product_id: str, changes: clients.ProductChanges, *, actor: Actor
    ) -> clients.Product:
        await self._check("update")
        require_permission(actor, PRODUCTS_WRITE)
        product = self.by_id.get(product_id)
        if product is None:
            raise clients.NotFound(product_id)
        product = replace(
            product,
            name=changes.name if changes.name is not None else product.name,
            price=changes.price if changes.price is not None else product.price,
            stock=changes.stock if changes.stock is not None else product.stock,
        )
        self.by_id[product_id] = product
        return product
