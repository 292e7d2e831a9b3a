"""GraphQL types of users, and their mapping from the user service's."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway import clients
from gateway.graphql.errors import NotFound, Unavailable, ValidationError


@strawberry.type
class User:
    id: strawberry.ID
    email: str | None
    name: str
    phone: str | None = strawberry.field(description="E.164, e.g. +15551234567.")
    email_notifications: bool
    sms_notifications: bool

    @classmethod
    def from_domain(cls, user: clients.User) -> User:
        return cls(
            id=strawberry.ID(user.id),
            email=user.email or None,
            name=user.name,
            phone=user.phone or None,
            email_notifications=user.email_notifications,
            sms_notifications=user.sms_notifications,
        )


@strawberry.input(description="Only the fields given change.")
class UpdateProfileInput:
    name: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="E.164, or an empty string to remove it."
    )
    email_notifications: bool | None = None
    sms_notifications: bool | None = None

    def to_domain(self) -> clients.UserChanges:
        return clients.UserChanges(
            name=self.name,
            phone=self.phone,
            email_notifications=self.email_notifications,
            sms_notifications=self.sms_notifications,
        )


UpdateProfileResult = Annotated[
    User | ValidationError | NotFound | Unavailable,
    strawberry.union("UpdateProfileResult"),
]
