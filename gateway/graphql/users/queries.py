"""Query fields of users."""

from __future__ import annotations

import strawberry

from gateway import clients
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import api_error
from gateway.graphql.permissions import IsAuthenticated
from gateway.graphql.users.types import User


@strawberry.type
class UserQueries:
    @strawberry.field(
        description="The caller; their user is created on the first request.",
        permission_classes=[IsAuthenticated],
    )
    async def me(self, info: GatewayInfo) -> User | None:
        try:
            return User.from_domain(await info.context.current_user())
        except clients.ServiceError as err:
            raise api_error(err) from err
