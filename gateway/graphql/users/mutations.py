"""Mutations of users."""

from __future__ import annotations

import strawberry

from gateway.graphql.context import GatewayInfo
from gateway.graphql.errors import service_errors
from gateway.graphql.permissions import IsAuthenticated
from gateway.graphql.users.types import UpdateProfileInput, UpdateProfileResult, User


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Change the caller's own profile.",
        permission_classes=[IsAuthenticated],
    )
    @service_errors
    async def update_profile(
        self, info: GatewayInfo, input: UpdateProfileInput
    ) -> UpdateProfileResult:
        context = info.context
        actor = await context.actor()
        user = await context.services.users.update(
            actor.user_id, input.to_domain(), actor=actor
        )
        return User.from_domain(user)
