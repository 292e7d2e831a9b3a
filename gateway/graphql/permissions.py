"""Who may do what. Permissions come from the access token's `permissions`
claim (Auth0 RBAC); ownership is checked by the services (owner_id)."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from gateway.graphql.context import GatewayContext, GatewayInfo
from gateway.graphql.errors import Forbidden

PRODUCTS_WRITE = "products:write"
ORDERS_WRITE = "orders:write"


class IsAuthenticated(BasePermission):
    """The field needs a signed-in caller: UNAUTHENTICATED otherwise."""

    message = "Authentication required."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012

    async def has_permission(
        self, source: Any, info: GatewayInfo, **kwargs: Any
    ) -> bool:
        context = info.context
        return isinstance(context, GatewayContext) and context.principal is not None


def forbidden_unless(info: GatewayInfo, permission: str) -> Forbidden | None:
    """A `Forbidden` result member when the caller lacks `permission`."""
    if info.context.has(permission):
        return None
    return Forbidden(
        message=f"This needs the {permission} permission.", permission=permission
    )
