"""The product service: its port and the gRPC client behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import grpc

from common.caller import Actor
from gateway.clients import convert
from gateway.clients.invocation import Invocation
from gateway.clients.models import (
    Page,
    Product,
    ProductChanges,
    ProductDraft,
    ProductFilter,
)
from protos.product.v1 import product_pb2, product_pb2_grpc


class ProductClient(Protocol):
    async def get(self, product_id: str) -> Product: ...
    async def batch_get(self, ids: Sequence[str]) -> list[Product]: ...
    async def list(
        self,
        flt: ProductFilter,
        page_size: int,
        page_token: str,
        backward: bool = False,
    ) -> Page[Product]:
        """Newest first; `backward`: the page just before the token's position
        (the end when empty), whose token marks the position before it."""
        ...

    async def create(self, draft: ProductDraft, *, actor: Actor) -> Product:
        """Needs products:write in `actor`'s permissions (so does `update`)."""
        ...

    async def update(
        self, product_id: str, changes: ProductChanges, *, actor: Actor
    ) -> Product: ...


class GrpcProductClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = product_pb2_grpc.ProductServiceStub(channel)
        self._call = invocation

    async def get(self, product_id: str) -> Product:
        response = await self._call.call(
            self._stub.GetProduct, product_pb2.GetProductRequest(id=product_id)
        )
        return convert.product(response)

    async def batch_get(self, ids: Sequence[str]) -> list[Product]:
        response = await self._call.call(
            self._stub.BatchGetProducts,
            product_pb2.BatchGetProductsRequest(ids=list(ids)),
        )
        return [convert.product(product) for product in response.products]

    async def list(
        self,
        flt: ProductFilter,
        page_size: int,
        page_token: str,
        backward: bool = False,
    ) -> Page[Product]:
        request = product_pb2.ListProductsRequest(
            page_size=page_size,
            page_token=page_token,
            backward=backward,
            category=flt.category,
            search=flt.search,
        )
        if flt.min_price is not None:
            request.min_price = flt.min_price
        if flt.max_price is not None:
            request.max_price = flt.max_price
        response = await self._call.call(self._stub.ListProducts, request)
        return Page(
            [convert.product(product) for product in response.products],
            response.next_page_token,
        )

    async def create(self, draft: ProductDraft, *, actor: Actor) -> Product:
        request = product_pb2.CreateProductRequest(
            name=draft.name,
            description=draft.description,
            category=draft.category,
            price=convert.money_proto(draft.price),
            stock=draft.stock,
        )
        response = await self._call.call(self._stub.CreateProduct, request, actor)
        return convert.product(response)

    async def update(
        self, product_id: str, changes: ProductChanges, *, actor: Actor
    ) -> Product:
        request = product_pb2.UpdateProductRequest(id=product_id)
        if changes.name is not None:
            request.name = changes.name
        if changes.description is not None:
            request.description = changes.description
        if changes.category is not None:
            request.category = changes.category
        if changes.price is not None:
            request.price.CopyFrom(convert.money_proto(changes.price))
        if changes.stock is not None:
            request.stock = changes.stock
        response = await self._call.call(self._stub.UpdateProduct, request, actor)
        return convert.product(response)
