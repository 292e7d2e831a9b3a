"""Query fields of users."""

from __future__ import annotations

import strawberry

from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.permissions import IsAuthenticated
from gateway.graphql.users.types import User


@strawberry.type
class UserQueries:
    @strawberry.field(
        description="The caller; their user is created on the first request.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def me(self, info: GatewayInfo) -> User | None:
        return User.from_domain(await info.context.current_user())
