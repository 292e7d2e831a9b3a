"""Typed async clients for the user, product, order and cart services.

Every call goes through the gateway's own sidecar (`invocation.py`). Generated
proto types stay in this package: callers get the frozen values of
`models.py`, and a refused call raises one of the typed errors of `errors.py`,
built from the service's rich error details (`status.py`), which the GraphQL
layer maps onto its result types in one place (`gateway/graphql/errors.py`).

The names below are the package's surface: `from gateway import clients` and
`clients.<Name>` is how the rest of the gateway uses it.
"""

from gateway.clients.carts import CartClient, GrpcCartClient
from gateway.clients.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldProblem,
    InvalidArgument,
    NotFound,
    OutOfStock,
    PermissionDenied,
    ServiceError,
    Unavailable,
    UnexpectedServiceError,
)
from gateway.clients.invocation import Invocation, sidecar_channel
from gateway.clients.models import (
    Cart,
    CartLine,
    LineRequest,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Page,
    Product,
    ProductChanges,
    ProductDraft,
    ProductFilter,
    User,
    UserChanges,
)
from gateway.clients.orders import GrpcOrderClient, OrderClient
from gateway.clients.products import GrpcProductClient, ProductClient
from gateway.clients.status import camel_case, error_from_rpc
from gateway.clients.users import GrpcUserClient, UserClient

__all__ = [
    "AlreadyExists",
    "Cart",
    "CartClient",
    "CartLine",
    "FailedPrecondition",
    "FieldProblem",
    "GrpcCartClient",
    "GrpcOrderClient",
    "GrpcProductClient",
    "GrpcUserClient",
    "InvalidArgument",
    "Invocation",
    "LineRequest",
    "Money",
    "NotFound",
    "Order",
    "OrderClient",
    "OrderLine",
    "OrderStatus",
    "OutOfStock",
    "Page",
    "PermissionDenied",
    "Product",
    "ProductChanges",
    "ProductClient",
    "ProductDraft",
    "ProductFilter",
    "ServiceError",
    "Unavailable",
    "UnexpectedServiceError",
    "User",
    "UserChanges",
    "UserClient",
    "camel_case",
    "error_from_rpc",
    "sidecar_channel",
]
