"""In-memory stand-ins for the user service's ports."""

from __future__ import annotations

import threading
from dataclasses import replace

from services.user.adapters.notifications import notification_id
from services.user.domain import (
    Contact,
    OrderNotice,
    SubjectTaken,
    User,
    UserChanges,
    now,
)


class FakeUserRepository:
    """Unique subjects like the MySQL table; `events` is the outbox."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.events: list[tuple[str, str]] = []  # (topic, user id)
        self.lock = threading.Lock()
        self.before_add = lambda: None  # lets a test slip a rival insert in

    def add(self, user: User) -> None:
        self.before_add()
        with self.lock:
            if any(u.subject == user.subject for u in self.users.values()):
                raise SubjectTaken(user.subject)
            self.users[user.id] = user
            self.events.append(("user-created", user.id))

    def get(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def get_by_subject(self, subject: str) -> User | None:
        return next((u for u in self.users.values() if u.subject == subject), None)

    def get_many(self, ids: list[str]) -> list[User]:
        return [self.users[i] for i in ids if i in self.users]

    def update(self, user_id: str, changes: UserChanges) -> User | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        fields = {k: v for k, v in vars(changes).items() if v is not None}
        updated = replace(user, **fields, updated_at=now())
        self.users[user_id] = updated
        return updated


class FakeNotifications:
    """The `Notifications` port: what the service asked to publish."""

    def __init__(self) -> None:
        self.published: dict[str, tuple[OrderNotice, Contact]] = {}

    def publish(self, notice: OrderNotice, contact: Contact) -> str:
        event_id = notification_id(notice.source_event_id)
        self.published[event_id] = (notice, contact)
        return event_id


class FakePublisher:
    """The sidecar's publish, for the real `DaprOrderNotifications` adapter."""

    def __init__(self) -> None:
        self.published: dict[str, tuple[str, str]] = {}  # id -> (topic, payload)
        self.keys: dict[str, str] = {}  # id -> partition key
        self.down = False

    def publish(
        self, topic: str, payload: str, event_id: str, partition_key: str = ""
    ) -> None:
        if self.down:
            raise ConnectionError("sidecar unreachable")
        self.published[event_id] = (topic, payload)
        self.keys[event_id] = partition_key
