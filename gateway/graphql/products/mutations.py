"""Mutations of the catalog (permission products:write). A service's refusal
becomes a member of the result union (`service_errors`)."""

from __future__ import annotations

import logging

import strawberry

from gateway.cache import StateStoreError
from gateway.graphql.context import GatewayContext, GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.permissions import (
    PRODUCTS_WRITE,
    IsAuthenticated,
    forbidden_unless,
)
from gateway.graphql.products.types import (
    CreateProductInput,
    CreateProductResult,
    Product,
    UpdateProductInput,
    UpdateProductResult,
)

log = logging.getLogger(__name__)


async def forget_cached(context: GatewayContext, product_id: str) -> None:
    """Read-your-writes here and now; the product event does it for every process."""
    try:
        await context.services.catalog.invalidate(product_id)
    except StateStoreError as err:
        log.warning("cache not invalidated after a write of %s: %s", product_id, err)


@strawberry.type
class ProductMutations:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    @service_errors
    async def create_product(
        self, info: GatewayInfo, input: CreateProductInput
    ) -> CreateProductResult:
        denied = forbidden_unless(info, PRODUCTS_WRITE)
        if denied is not None:
            return denied
        context = info.context
        product = await context.services.products.create(
            input.to_domain(), actor=context.signed_in()
        )
        await forget_cached(context, product.id)
        return Product.from_domain(product)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    @service_errors
    async def update_product(
        self, info: GatewayInfo, id: strawberry.ID, input: UpdateProductInput
    ) -> UpdateProductResult:
        denied = forbidden_unless(info, PRODUCTS_WRITE)
        if denied is not None:
            return denied
        context = info.context
        product = await context.services.products.update(
            str(id), input.to_domain(), actor=context.signed_in()
        )
        await forget_cached(context, product.id)
        return Product.from_domain(product)
