"""UserService answers for the acting user the gateway forwards: a profile is
read and changed by its owner only; batch reads leave out other users unless
the acting user is an admin with orders:write (who reads any order)."""

from __future__ import annotations

import logging

import grpc
import pytest

from common.caller import ORDERS_WRITE
from common.error_details import Reason
from protos.user.v1 import user_pb2
from services.user.grpc_api import UserServicer
from services.user.service import UserService
from tests.unit.common.servicer_context import Aborted, FakeContext, as_app, as_gateway
from tests.unit.user.fakes import FakeNotifications, FakeUserRepository


@pytest.fixture
def api() -> UserServicer:
    return UserServicer(UserService(FakeUserRepository(), FakeNotifications()))


def login(api: UserServicer, subject: str) -> user_pb2.User:
    request = user_pb2.GetOrCreateUserRequest(subject=subject, email=f"{subject}@x.io")
    return api.GetOrCreateUser(request, as_gateway(subject=subject)).user


def denied(call) -> Aborted:
    with pytest.raises(Aborted) as err:
        call()
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert err.value.detail is not None
    assert err.value.detail.reason == Reason.PERMISSION_DENIED
    return err.value


@pytest.mark.parametrize(
    "context",
    [as_gateway(subject="mallory"), as_gateway(), as_app("order")],
    ids=["another subject", "no subject", "not the gateway"],
)
def test_get_or_create_only_for_the_tokens_own_subject(
    api: UserServicer, context: FakeContext
) -> None:
    request = user_pb2.GetOrCreateUserRequest(subject="alice", email="a@x.io")
    denied(lambda: api.GetOrCreateUser(request, context))


@pytest.mark.parametrize("target", ["", "alice"])
def test_bob_cannot_read_or_change_alices_profile(
    api: UserServicer, target: str, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = login(api, "alice"), login(api, "bob")
    user_id = alice.id if target else ""
    as_bob = as_gateway(bob.id, subject="bob")
    with caplog.at_level(logging.WARNING):
        denied(lambda: api.GetUser(user_pb2.GetUserRequest(id=user_id), as_bob))
        denied(
            lambda: api.UpdateUser(
                user_pb2.UpdateUserRequest(id=user_id, name="pwned"), as_bob
            )
        )
    assert caplog.text.count("refused") == 2
    me = api.GetUser(
        user_pb2.GetUserRequest(id=alice.id), as_gateway(alice.id, subject="alice")
    )
    assert me.name != "pwned"


def test_a_batch_leaves_out_other_users_unless_admin(
    api: UserServicer, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = login(api, "alice"), login(api, "bob")
    request = user_pb2.BatchGetUsersRequest(ids=[alice.id, bob.id])

    with caplog.at_level(logging.WARNING):
        mine = api.BatchGetUsers(request, as_gateway(bob.id))
    admin = api.BatchGetUsers(request, as_gateway("root", ORDERS_WRITE))

    assert [u.id for u in mine.users] == [bob.id]
    assert "other users' profiles" in caplog.text
    assert [u.id for u in admin.users] == [alice.id, bob.id]
    denied(lambda: api.BatchGetUsers(request, as_gateway("")))
