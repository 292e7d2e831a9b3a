"""The user service as the gateway sees it, in memory."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from common.caller import ORDERS_WRITE, Actor
from gateway import clients
from tests.unit.gateway.fake_identity import (
    acting_user,
    require_owner,
)


class FakeUsers:
    def __init__(self) -> None:
        self.by_id: dict[str, clients.User] = {}
        self.calls: Counter[str] = Counter()
        self.fail: Exception | None = None
        self._ids = itertools.count(1)

    def _check(self, method: str) -> None:
        self.calls[method] += 1
        if self.fail is not None:
            raise self.fail

    async def get_or_create(
        self, subject: str, email: str, name: str, *, actor: Actor
    ) -> clients.User:
        self._check("get_or_create")
        if subject != actor.subject:
            raise clients.PermissionDenied("not the token's subject", caller="gateway")
        for user in self.by_id.values():
            if user.subject == subject:
                return user
        user = clients.User(f"u{next(self._ids)}", subject, email, name or subject, "")
        self.by_id[user.id] = user
        return user

    async def get(self, user_id: str, *, actor: Actor) -> clients.User:
        self._check("get")
        require_owner(actor, user_id)
        if user_id not in self.by_id:
            raise clients.NotFound(user_id)
        return self.by_id[user_id]

    async def batch_get(
        self, ids: Sequence[str], *, actor: Actor
    ) -> list[clients.User]:
        self._check("batch_get")
        if not actor.has(ORDERS_WRITE):
            ids = [i for i in ids if i == acting_user(actor)]
        return [self.by_id[i] for i in ids if i in self.by_id]

    async def update(
        self, user_id: str, changes: clients.UserChanges, *, actor: Actor
    ) -> clients.User:
        self._check("update")
        require_owner(actor, user_id)
        user = self.by_id.get(user_id)
        if user is None:
            raise clients.NotFound(user_id)
        if changes.phone and not changes.phone.startswith("+"):
            raise clients.InvalidArgument(
                [clients.FieldProblem("phone", "must be in E.164 format")]
            )
        user = replace(
            user,
            name=changes.name if changes.name is not None else user.name,
            phone=changes.phone if changes.phone is not None else user.phone,
        )
        self.by_id[user_id] = user
        return user
