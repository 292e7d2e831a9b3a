"""GraphQL types of the catalog, and their mapping from the product service's."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway import clients
from gateway.graphql.common import Long, Money, MoneyInput, PageInfo
from gateway.graphql.errors import Forbidden, NotFound, Unavailable, ValidationError


@strawberry.type
class Product:
    id: strawberry.ID
    name: str
    description: str
    category: str
    price: Money
    stock: int = strawberry.field(description="Units available to order now.")

    @classmethod
    def from_domain(cls, product: clients.Product) -> Product:
        return cls(
            id=strawberry.ID(product.id),
            name=product.name,
            description=product.description,
            category=product.category,
            price=Money.from_domain(product.price),
            stock=product.stock,
        )


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo


@strawberry.input
class ProductFilter:
    category: str | None = None
    min_price: Long | None = strawberry.field(
        default=None, description="In minor units, inclusive."
    )
    max_price: Long | None = strawberry.field(
        default=None, description="In minor units, inclusive."
    )
    search: str | None = strawberry.field(
        default=None, description="Words to find in the name or description."
    )

    def to_domain(self) -> clients.ProductFilter:
        return clients.ProductFilter(
            category=(self.category or "").strip(),
            min_price=None if self.min_price is None else int(self.min_price),
            max_price=None if self.max_price is None else int(self.max_price),
            search=(self.search or "").strip(),
        )


@strawberry.input
class CreateProductInput:
    name: str
    category: str
    price: MoneyInput
    description: str = ""
    stock: int = 0

    def to_domain(self) -> clients.ProductDraft:
        return clients.ProductDraft(
            name=self.name,
            description=self.description,
            category=self.category,
            price=self.price.to_domain(),
            stock=self.stock,
        )


@strawberry.input(description="Only the fields given change.")
class UpdateProductInput:
    name: str | None = None
    description: str | None = None
    category: str | None = None
    price: MoneyInput | None = None
    stock: int | None = None

    def to_domain(self) -> clients.ProductChanges:
        return clients.ProductChanges(
            name=self.name,
            description=self.description,
            category=self.category,
            price=self.price.to_domain() if self.price is not None else None,
            stock=self.stock,
        )


CreateProductResult = Annotated[
    Product | ValidationError | Forbidden | Unavailable,
    strawberry.union("CreateProductResult"),
]
UpdateProductResult = Annotated[
    Product | NotFound | ValidationError | Forbidden | Unavailable,
    strawberry.union("UpdateProductResult"),
]
