"""Mutations of the catalog (permission products:write). A service's refusal
becomes a member of the result union (`service_errors`)."""

from __future__ import annotations

import strawberry

from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.freshness import forget_products
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
        product = await context.services.products.create(input.to_domain())
        await forget_products(context, [product.id])
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
        product = await context.services.products.update(str(id), input.to_domain())
        await forget_products(context, [product.id])
        return Product.from_domain(product)
