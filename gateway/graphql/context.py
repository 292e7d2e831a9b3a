"""The per-request context of every resolver, and how a request gets one.

`get_context` awaits `graphql_caller` (body cap, bearer token, rate limit; see
gateway.graphql.caller), then builds a `GatewayContext` with fresh DataLoaders.
"""

from __future__ import annotations

import asyncio

from starlette.requests import HTTPConnection
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from common.caller import Actor
from gateway import clients
from gateway.auth import Principal
from gateway.config import GatewaySettings
from gateway.graphql.caller import graphql_caller
from gateway.graphql.errors import Unauthenticated
from gateway.graphql.loaders import Loaders

# Re-exported: these moved to gateway.services; older imports keep working.
from gateway.services import GatewayServices as GatewayServices
from gateway.services import RateRules as RateRules
from gateway.services import SubjectIds as SubjectIds
from gateway.services import services_of


class GatewayContext(BaseContext):
    def __init__(
        self, services: GatewayServices, principal: Principal | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.principal = principal
        self.loaders = Loaders(services, self.actor)
        self._user: asyncio.Task[clients.User] | None = None

    @property
    def settings(self) -> GatewaySettings:
        return self.services.settings

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated()
        return self.principal

    def has(self, permission: str) -> bool:
        return self.principal is not None and self.principal.has(permission)

    def signed_in(self) -> Actor:
        """The caller as its token says, before its user id is known."""
        principal = self.require_principal()
        return Actor(subject=principal.subject, permissions=principal.permissions)

    async def actor(self) -> Actor:
        """Who the services are told a call is made for (common.caller)."""
        signed_in = self.signed_in()
        return Actor(await self.user_id(), signed_in.subject, signed_in.permissions)

    async def current_user(self) -> clients.User:
        """The caller's user, created on first sight (once per request)."""
        principal = self.require_principal()
        if self._user is None:
            self._user = asyncio.ensure_future(
                self.services.users.get_or_create(
                    principal.subject,
                    principal.email or "",
                    principal.name or "",
                    actor=self.signed_in(),
                )
            )
        user = await asyncio.shield(self._user)
        self.services.subject_ids.put(principal.subject, user.id)
        return user

    async def user_id(self) -> str:
        principal = self.require_principal()
        known = self.services.subject_ids.get(principal.subject)
        if known is not None:
            return known
        return (await self.current_user()).id


GatewayInfo = Info[GatewayContext, None]


async def get_context(connection: HTTPConnection) -> GatewayContext:
    # graphql_caller is awaited here rather than declared as a FastAPI
    # dependency: one level less of dependency solving on every request.
    return GatewayContext(services_of(connection), await graphql_caller(connection))
