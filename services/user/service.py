"""Use cases of the user service, over two ports.

- `UserRepository`: users and their `user-created` event (outbox).
- `Notifications`: order notices for the notification service, enriched with
  the buyer's contact data, so that service never calls this one.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Protocol

from services.user.domain import (
    Contact,
    NotFound,
    OrderNotice,
    SubjectTaken,
    User,
    UserChanges,
    name_from_login,
    require_user_id,
    validate_changes,
    validate_email,
    validate_subject,
)

MAX_BATCH = 500


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user and its `user-created` event atomically (outbox).

        Raises SubjectTaken when a user with the same subject exists.
        """
        ...

    def get(self, user_id: str) -> User | None: ...
    def get_by_subject(self, subject: str) -> User | None: ...
    def get_many(self, ids: list[str]) -> list[User]: ...
    def update(self, user_id: str, changes: UserChanges) -> User | None: ...


class Notifications(Protocol):
    def publish(self, notice: OrderNotice, contact: Contact) -> str:
        """Publishes the notice for `contact`; returns the notification's id."""
        ...


class UserService:
    def __init__(self, repo: UserRepository, notifications: Notifications) -> None:
        self._repo = repo
        self._notifications = notifications

    def get_or_create(self, subject: str, email: str, name: str) -> tuple[User, bool]:
        """The user owning `subject`, created on first sight: (user, created).

        Two concurrent first logins both try to insert; the unique subject lets
        one win, and the loser reads the winner's row. So there is one user and
        one `user-created` event.
        """
        validate_subject(subject)
        email = email.strip()
        if email:
            validate_email(email)
        existing = self._repo.get_by_subject(subject)
        if existing is not None:
            return existing, False
        user = User(
            id=uuid.uuid4().hex,
            subject=subject,
            email=email,
            name=name_from_login(name, email),
        )
        try:
            self._repo.add(user)
        except SubjectTaken:
            winner = self._repo.get_by_subject(subject)
            if winner is None:  # pragma: no cover - the row cannot vanish
                raise
            return winner, False
        return user, True

    def get(self, user_id: str) -> User:
        """NotFound for an unknown user; an empty id is a ValidationError."""
        user = self._repo.get(require_user_id(user_id))
        if user is None:
            raise NotFound(user_id)
        return user

    def get_many(self, ids: list[str]) -> list[User]:
        """Users in the order asked for; unknown ids are simply absent."""
        wanted = list(dict.fromkeys(i for i in ids if i))[:MAX_BATCH]
        return self._repo.get_many(wanted) if wanted else []

    def update(self, user_id: str, changes: UserChanges) -> User:
        require_user_id(user_id)
        validate_changes(changes)
        if changes.name is not None:
            changes = replace(changes, name=changes.name.strip())
        updated = self._repo.update(user_id, changes)
        if updated is None:
            raise NotFound(user_id)
        return updated

    def contact(self, user_id: str) -> Contact:
        """How to reach the buyer of an order (NotFound for an unknown user)."""
        return Contact.of(self.get(user_id))

    def notify_buyer(self, notice: OrderNotice) -> str:
        """Tells the buyer about an order event (NotFound for an unknown buyer)."""
        return self._notifications.publish(notice, self.contact(notice.buyer_id))
