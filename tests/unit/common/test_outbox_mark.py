"""Marking a published outbox row survives InnoDB choosing it as a deadlock
victim: giving up would hand the row back to the relays and send it twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymysql
import pytest

from common import outbox


class Cursor:
    def __init__(self, db: FlakyDb) -> None:
        self._db = db

    def execute(self, sql: str, args: Any = None) -> None:
        if self._db.failures:
            self._db.failures -= 1
            raise pymysql.err.OperationalError(self._db.errno, "Deadlock found")
        self._db.statements.append(sql)


class FlakyDb:
    def __init__(self, failures: int, errno: int = 1213) -> None:
        self.failures = failures
        self.errno = errno
        self.statements: list[str] = []

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        yield Cursor(self)


def test_a_deadlocked_mark_is_run_again() -> None:
    db = FlakyDb(failures=2)
    outbox.MySQLOutbox(db).mark_delivered(7)  # type: ignore[arg-type]
    assert len(db.statements) == 1 and "published_at" in db.statements[0]


def test_other_errors_and_endless_deadlocks_are_raised() -> None:
    with pytest.raises(pymysql.err.OperationalError):
        outbox.MySQLOutbox(FlakyDb(failures=1, errno=2013)).mark_delivered(7)  # type: ignore[arg-type]
    with pytest.raises(pymysql.err.OperationalError):
        outbox.MySQLOutbox(FlakyDb(failures=99)).mark_delivered(7)  # type: ignore[arg-type]
