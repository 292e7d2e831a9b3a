"""UserService over gRPC: proto <-> domain, domain errors -> status codes.

Every method is the gateway's, for the acting user it forwards
(common.caller): GetOrCreateUser for the token's own subject, GetUser and
UpdateUser for the acting user's own id. BatchGetUsers (the customer of an
order) returns the acting user's own profile, and others' only to an admin
with orders:write, who may read any order.
"""

from __future__ import annotations

from typing import Any, Literal

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from common.caller import (
    GATEWAY,
    ORDERS_WRITE,
    PermissionDenied,
    audit,
    caller_of,
)
from common.grpc_errors import status_for
from protos.user.v1 import user_pb2, user_pb2_grpc
from services.user.domain import (
    NotFound,
    SubjectTaken,
    User,
    UserChanges,
    ValidationError,
)
from services.user.service import UserService

ERRORS = status_for(
    {
        ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
        NotFound: grpc.StatusCode.NOT_FOUND,
        SubjectTaken: grpc.StatusCode.ALREADY_EXISTS,
        PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    }
)


def user_to_proto(user: User) -> user_pb2.User:
    created = Timestamp()
    created.FromDatetime(user.created_at)
    return user_pb2.User(
        id=user.id,
        subject=user.subject,
        email=user.email,
        name=user.name,
        phone=user.phone,
        preferences=user_pb2.NotificationPreferences(
            email=user.email_notifications, sms=user.sms_notifications
        ),
        created_at=created,
    )


def changes_from_proto(request: user_pb2.UpdateUserRequest) -> UserChanges:
    Optional = Literal["name", "phone", "email_notifications", "sms_notifications"]

    def optional(name: Optional) -> Any:
        return getattr(request, name) if request.HasField(name) else None

    return UserChanges(
        name=optional("name"),
        phone=optional("phone"),
        email_notifications=optional("email_notifications"),
        sms_notifications=optional("sms_notifications"),
    )


class UserServicer(user_pb2_grpc.UserServiceServicer):
    def __init__(self, service: UserService) -> None:
        self._service = service

    @ERRORS
    def GetOrCreateUser(self, request, context):  # type: ignore[no-untyped-def]
        caller = caller_of(context, "GetOrCreateUser").require_app(GATEWAY)
        if not caller.actor.subject or request.subject != caller.actor.subject:
            raise caller.refuse("subject is not the acting user's")
        user, created = self._service.get_or_create(
            request.subject, request.email, request.name
        )
        return user_pb2.GetOrCreateUserResponse(
            user=user_to_proto(user), created=created
        )

    @ERRORS
    def GetUser(self, request, context):  # type: ignore[no-untyped-def]
        user = caller_of(context, "GetUser").require_owner(request.id, "id")
        return user_to_proto(self._service.get(user))

    @ERRORS
    def BatchGetUsers(self, request, context):  # type: ignore[no-untyped-def]
        caller = caller_of(context, "BatchGetUsers").require_app(GATEWAY)
        ids = list(request.ids)
        if not caller.actor.has(ORDERS_WRITE):
            own = caller.acting_user()
            if any(i != own for i in ids):
                audit(caller, "asked for other users' profiles; left out")
            ids = [i for i in ids if i == own]
        users = self._service.get_many(ids)
        return user_pb2.BatchGetUsersResponse(users=[user_to_proto(u) for u in users])

    @ERRORS
    def UpdateUser(self, request, context):  # type: ignore[no-untyped-def]
        user = caller_of(context, "UpdateUser").require_owner(request.id, "id")
        return user_to_proto(self._service.update(user, changes_from_proto(request)))
