"""Mutations of users."""

from __future__ import annotations

from typing import cast

import strawberry

from gateway import clients
from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import result_error
from gateway.graphql.permissions import IsAuthenticated
from gateway.graphql.users.types import UpdateProfileInput, UpdateProfileResult, User


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Change the caller's own profile.",
        permission_classes=[IsAuthenticated],
    )
    async def update_profile(
        self, info: GatewayInfo, input: UpdateProfileInput
    ) -> UpdateProfileResult:
        context = info.context
        user_id = ""
        try:
            user_id = await context.user_id()
            user = await context.services.users.update(user_id, input.to_domain())
        except clients.ServiceError as err:
            return cast(
                UpdateProfileResult, result_error(err, UpdateProfileResult, user_id)
            )
        return User.from_domain(user)
