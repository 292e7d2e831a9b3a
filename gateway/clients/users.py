"""The user service: its port and the gRPC client behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import grpc

from gateway.clients import convert
from gateway.clients.invocation import Invocation
from gateway.clients.models import User, UserChanges
from protos.user.v1 import user_pb2, user_pb2_grpc


class UserClient(Protocol):
    async def get_or_create(self, subject: str, email: str, name: str) -> User: ...
    async def get(self, user_id: str) -> User: ...
    async def batch_get(self, ids: Sequence[str]) -> list[User]: ...
    async def update(self, user_id: str, changes: UserChanges) -> User: ...


class GrpcUserClient:
    def __init__(self, channel: grpc.aio.Channel, invocation: Invocation) -> None:
        self._stub = user_pb2_grpc.UserServiceStub(channel)
        self._call = invocation

    async def get_or_create(self, subject: str, email: str, name: str) -> User:
        request = user_pb2.GetOrCreateUserRequest(
            subject=subject, email=email, name=name
        )
        response = await self._call.call(self._stub.GetOrCreateUser, request)
        return convert.user(response.user)

    async def get(self, user_id: str) -> User:
        response = await self._call.call(
            self._stub.GetUser, user_pb2.GetUserRequest(id=user_id)
        )
        return convert.user(response)

    async def batch_get(self, ids: Sequence[str]) -> list[User]:
        response = await self._call.call(
            self._stub.BatchGetUsers, user_pb2.BatchGetUsersRequest(ids=list(ids))
        )
        return [convert.user(user) for user in response.users]

    async def update(self, user_id: str, changes: UserChanges) -> User:
        request = user_pb2.UpdateUserRequest(id=user_id)
        if changes.name is not None:
            request.name = changes.name
        if changes.phone is not None:
            request.phone = changes.phone
        if changes.email_notifications is not None:
            request.email_notifications = changes.email_notifications
        if changes.sms_notifications is not None:
            request.sms_notifications = changes.sms_notifications
        response = await self._call.call(self._stub.UpdateUser, request)
        return convert.user(response)
