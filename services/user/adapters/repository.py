"""Users in MySQL (pymysql): the `UserRepository` port.

Users need SQL: a unique auth subject (so two concurrent first logins make one
user) and an outbox that commits with the insert (so `user-created` is
published exactly once per user). Both live in MySQL (MariaDB locally), in a
schema the service creates at start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pymysql

from common import outbox, topics
from common.mysql import Database
from protos.events.v1 import events_pb2
from services.user.domain import SubjectTaken, User, UserChanges, now

DUPLICATE_KEY = 1062

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS users (
        id CHAR(32) NOT NULL PRIMARY KEY,
        subject VARCHAR(255) NOT NULL,
        email VARCHAR(254) NOT NULL DEFAULT '',
        name VARCHAR(200) NOT NULL DEFAULT '',
        phone VARCHAR(16) NOT NULL DEFAULT '',
        email_notifications BOOL NOT NULL DEFAULT TRUE,
        sms_notifications BOOL NOT NULL DEFAULT TRUE,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        UNIQUE KEY subject (subject)
    )
    """,
    *outbox.SCHEMA,
)

COLUMNS = (
    "id, subject, email, name, phone, email_notifications, sms_notifications, "
    "created_at, updated_at"
)


def _utc(value: datetime) -> datetime:
    """DATETIME columns hold UTC without a zone; give it back."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _db_time(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def _from_row(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        subject=row["subject"],
        email=row["email"],
        name=row["name"],
        phone=row["phone"],
        email_notifications=bool(row["email_notifications"]),
        sms_notifications=bool(row["sms_notifications"]),
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
    )


def user_created(user: User) -> events_pb2.UserCreated:
    return events_pb2.UserCreated(
        user_id=user.id,
        email=user.email,
        name=user.name,
        phone=user.phone,
        email_notifications=user.email_notifications,
        sms_notifications=user.sms_notifications,
    )


class MySQLUserRepository:
    def __init__(self, db: Database, on_event: Callable[[], None] = lambda: None):
        """`on_event` runs after a commit that enqueued an event (relay.notify)."""
        self._db = db
        self._on_event = on_event

    def add(self, user: User) -> None:
        try:
            with self._db.transaction() as cur:
                cur.execute(
                    f"INSERT INTO users ({COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        user.id,
                        user.subject,
                        user.email,
                        user.name,
                        user.phone,
                        user.email_notifications,
                        user.sms_notifications,
                        _db_time(user.created_at),
                        _db_time(user.updated_at),
                    ),
                )
                outbox.enqueue(cur, topics.USER_CREATED, user_created(user), user.id)
        except pymysql.err.IntegrityError as err:
            if err.args and err.args[0] == DUPLICATE_KEY:
                raise SubjectTaken(user.subject) from err
            raise
        self._on_event()

    def get(self, user_id: str) -> User | None:
        with self._db.transaction() as cur:
            cur.execute(f"SELECT {COLUMNS} FROM users WHERE id = %s", (user_id,))
            row = cur.fetchone()
        return _from_row(row) if row else None

    def get_by_subject(self, subject: str) -> User | None:
        with self._db.transaction() as cur:
            cur.execute(f"SELECT {COLUMNS} FROM users WHERE subject = %s", (subject,))
            row = cur.fetchone()
        return _from_row(row) if row else None

    def get_many(self, ids: list[str]) -> list[User]:
        if not ids:
            return []
        marks = ", ".join(["%s"] * len(ids))
        with self._db.transaction() as cur:
            cur.execute(f"SELECT {COLUMNS} FROM users WHERE id IN ({marks})", ids)
            rows = {row["id"]: _from_row(row) for row in cur.fetchall()}
        return [rows[i] for i in ids if i in rows]

    def update(self, user_id: str, changes: UserChanges) -> User | None:
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("name", changes.name),
                ("phone", changes.phone),
                ("email_notifications", changes.email_notifications),
                ("sms_notifications", changes.sms_notifications),
            )
            if value is not None
        }
        fields["updated_at"] = _db_time(now())
        assignments = ", ".join(f"{name} = %s" for name in fields)
        with self._db.transaction() as cur:
            cur.execute(
                f"UPDATE users SET {assignments} WHERE id = %s",
                (*fields.values(), user_id),
            )
            cur.execute(f"SELECT {COLUMNS} FROM users WHERE id = %s", (user_id,))
            row = cur.fetchone()
        return _from_row(row) if row else None
