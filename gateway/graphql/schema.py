"""The schema: root types composed from the domains, and its hardening.

Limits (depth, aliases, tokens) are validation rules, so a query that breaks
one gets a GraphQL error before any resolver runs; fragments are followed when
measuring depth and aliases (see gateway.graphql.limits). Each query text is
parsed and validated once per process and its verdict kept with it
(gateway.graphql.documents). Where the schema is
not public (prod), introspection is off and error messages carry no
"Did you mean ...?" suggestions, which would otherwise spell the schema out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult

from gateway.graphql.cart.mutations import CartMutations
from gateway.graphql.cart.queries import CartQueries
from gateway.graphql.documents import (
    DocumentCache,
    document_rules,
    prepared_documents,
)
from gateway.graphql.masking import MaskInternalErrors, finalize_errors, is_unexpected
from gateway.graphql.orders.mutations import OrderMutations
from gateway.graphql.orders.queries import OrderQueries
from gateway.graphql.orders.subscriptions import OrderSubscriptions
from gateway.graphql.products.mutations import ProductMutations
from gateway.graphql.products.queries import ProductQueries
from gateway.graphql.tracing import TraceOperation
from gateway.graphql.users.mutations import UserMutations
from gateway.graphql.users.queries import UserQueries

log = logging.getLogger(__name__)


@strawberry.type
class Query(UserQueries, ProductQueries, OrderQueries, CartQueries):
    pass


@strawberry.type
class Mutation(UserMutations, ProductMutations, OrderMutations, CartMutations):
    pass


@strawberry.type
class Subscription(OrderSubscriptions):
    pass


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    introspection: bool = True
    # "Did you mean ...?" in validation and input errors.
    suggestions: bool = True


class GatewaySchema(strawberry.Schema):
    @staticmethod
    def remove_field_suggestion(error: GraphQLError) -> None:
        """Every kind of suggestion, not only strawberry's unknown-field one:
        arguments, enum values, input fields, type names."""
        head, found, _ = error.message.partition(" Did you mean ")
        if found:
            error.message = head

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = finalize_errors(result.errors)
        return result

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        """Log bugs with their traceback; expected errors only at debug level."""
        for error in errors:
            if is_unexpected(error):
                log.error(
                    "unexpected error in %s: %s",
                    ".".join(str(p) for p in error.path or ()) or "operation",
                    error.original_error,
                    exc_info=error.original_error,
                )
            else:
                log.debug("graphql error: %s", error.message)


def extensions(limits: SchemaLimits) -> list[Any]:
    """Each one is given as a factory (a class or a partial): strawberry makes
    them per request, so no request sees another's execution context."""
    documents = DocumentCache(
        limits.max_tokens,
        document_rules(limits.max_depth, limits.max_aliases, limits.introspection),
    )
    return [prepared_documents(documents), MaskInternalErrors, TraceOperation]


def build_schema(limits: SchemaLimits | None = None) -> GatewaySchema:
    limits = limits or SchemaLimits()
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions(limits),
        config=StrawberryConfig(disable_field_suggestions=not limits.suggestions),
    )
