"""Query fields of the catalog: open to anonymous callers, served from the cache."""

from __future__ import annotations

import strawberry

from gateway import clients
from gateway.graphql.common import PageInfo
from gateway.graphql.context import GatewayContext, GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.paging import HOW_TO_PAGE, page_args, read_page
from gateway.graphql.products.types import (
    Product,
    ProductConnection,
    ProductEdge,
    ProductFilter,
)


async def load_product(context: GatewayContext, product_id: str) -> clients.Product:
    product = await context.loaders.products.load(product_id)
    if product is None:
        raise clients.NotFound(f"product {product_id}")
    return product


ProductPage = clients.Page[clients.Product]


@strawberry.type
class ProductQueries:
    @strawberry.field
    @service_errors
    async def product(self, info: GatewayInfo, id: strawberry.ID) -> Product | None:
        context = info.context
        try:
            product = await context.services.catalog.product(
                str(id), lambda: load_product(context, str(id))
            )
        except clients.NotFound:
            return None  # absent is null here, not an error
        return Product.from_domain(product)

    @strawberry.field(description=f"Newest first. {HOW_TO_PAGE}")
    @service_errors
    async def products(
        self,
        info: GatewayInfo,
        first: int | None = None,
        after: str | None = None,
        filter: ProductFilter | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProductConnection:
        context = info.context
        settings = context.settings
        args = page_args(
            first,
            after,
            last,
            before,
            settings.graphql_default_page_size,
            settings.graphql_max_page_size,
        )
        flt = filter.to_domain() if filter is not None else clients.ProductFilter()
        service = context.services.products
        catalog = context.services.catalog

        async def fetch(size: int, token: str, backward: bool) -> ProductPage:
            page = await catalog.products(
                flt,
                size,
                token,
                lambda: service.list(flt, size, token, backward),
                backward,
            )
            context.loaders.products.prime_many({p.id: p for p in page.items})
            return page

        window = await read_page(args, fetch)
        return ProductConnection(
            edges=[
                ProductEdge(cursor=cursor, node=Product.from_domain(product))
                for cursor, product in window.edges
            ],
            page_info=PageInfo.of(window),
        )
