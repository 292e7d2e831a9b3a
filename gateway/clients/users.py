"""The user service: its port and the gRPC client behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import grpc

from common.caller import Actor
from gateway.clients import convert
from gateway.clients.invocation import Invocation
from gateway.clients.models import User, UserChanges
from protos.user.v1 import user_pb2, user_pb2_grpc


class UserClient(Protocol):
    """Every call is made for an acting user (`actor`): the user service
    answers with that user's own profile (others' only to an admin)."""

    async def get_or_create(
        self, subject: str, email: str, name: str, *, actor: Actor
    ) -> User: ...
    async def get(self, user_id: str, *, actor: Actor) -> User: ...
    async def batch_get(self, ids: Sequence[str], *, actor: Actor) -> list[User]: ...
    async def update(
        self, user_id: str, changes: UserChanges, *, actor: Actor
    ) -> User: ...


class GrpcUserClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = user_pb2_grpc.UserServiceStub(channel)
        self._call = invocation

    async def get_or_create(
        self, subject: str, email: str, name: str, *, actor: Actor
    ) -> User:
        request = user_pb2.GetOrCreateUserRequest(
            subject=subject, email=email, name=name
        )
        response = await self._call.call(self._stub.GetOrCreateUser, request, actor)
        return convert.user(response.user)

    async def get(self, user_id: str, *, actor: Actor) -> User:
        response = await self._call.call(
            self._stub.GetUser, user_pb2.GetUserRequest(id=user_id), actor
        )
        return convert.user(response)

    async def batch_get(self, ids: Sequence[str], *, actor: Actor) -> list[User]:
        response = await self._call.call(
            self._stub.BatchGetUsers,
            user_pb2.BatchGetUsersRequest(ids=list(ids)),
            actor,
        )
        return [convert.user(user) for user in response.users]

    async def update(self, user_id: str, changes: UserChanges, *, actor: Actor) -> User:
        request = user_pb2.UpdateUserRequest(id=user_id)
        if changes.name is not None:
            request.name = changes.name
        if changes.phone is not None:
            request.phone = changes.phone
        if changes.email_notifications is not None:
            request.email_notifications = changes.email_notifications
        if changes.sms_notifications is not None:
            request.sms_notifications = changes.sms_notifications
        response = await self._call.call(self._stub.UpdateUser, request, actor)
        return convert.user(response)
