"""What a gRPC caller of UserService sees, status codes included."""

from __future__ import annotations

import grpc
import pytest

from common.caller import ORDERS_WRITE
from common.error_details import Reason
from protos.user.v1 import user_pb2
from services.user.domain import SubjectTaken
from services.user.grpc_api import UserServicer
from services.user.service import UserService
from tests.unit.common.servicer_context import Aborted, FakeContext, as_gateway
from tests.unit.user.fakes import FakeNotifications, FakeUserRepository


@pytest.fixture
def api() -> UserServicer:
    return UserServicer(UserService(FakeUserRepository(), FakeNotifications()))


def signed_in(subject: str) -> FakeContext:
    """The gateway, before it knows the user's id: the token's subject only."""
    return as_gateway(subject=subject)


def acting(user: user_pb2.User) -> FakeContext:
    return as_gateway(user.id, subject=user.subject)


def login(api: UserServicer, subject: str = "oidc|eve") -> user_pb2.User:
    response = api.GetOrCreateUser(
        user_pb2.GetOrCreateUserRequest(
            subject=subject, email="eve@example.com", name="Eve"
        ),
        signed_in(subject),
    )
    return response.user


def test_get_or_create_then_get(api: UserServicer) -> None:
    first = api.GetOrCreateUser(
        user_pb2.GetOrCreateUserRequest(
            subject="oidc|eve", email="eve@example.com", name="Eve"
        ),
        signed_in("oidc|eve"),
    )
    assert first.created is True
    assert first.user.preferences.email is True
    assert first.user.created_at.seconds > 0
    got = api.GetUser(user_pb2.GetUserRequest(id=first.user.id), acting(first.user))
    assert got == first.user


def test_batch_get_omits_unknown_ids(api: UserServicer) -> None:
    eve, bob = login(api, "eve"), login(api, "bob")
    response = api.BatchGetUsers(
        user_pb2.BatchGetUsersRequest(ids=[bob.id, "ghost", eve.id]),
        as_gateway("root", ORDERS_WRITE),
    )
    assert [u.id for u in response.users] == [bob.id, eve.id]


def test_update_sets_only_present_fields(api: UserServicer) -> None:
    eve = login(api)
    updated = api.UpdateUser(
        user_pb2.UpdateUserRequest(id=eve.id, phone="+4915112345678"), acting(eve)
    )
    assert updated.phone == "+4915112345678"
    assert updated.name == "Eve"
    assert updated.preferences.sms is True
    off = api.UpdateUser(
        user_pb2.UpdateUserRequest(id=eve.id, sms_notifications=False), acting(eve)
    )
    assert off.preferences.sms is False and off.phone == "+4915112345678"


def test_bad_phone_is_invalid_argument_naming_the_field(api: UserServicer) -> None:
    eve = login(api)
    with pytest.raises(Aborted) as err:
        api.UpdateUser(
            user_pb2.UpdateUserRequest(id=eve.id, phone="0151 123"), acting(eve)
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details().startswith("phone:")
    detail = err.value.detail
    assert detail is not None and detail.reason == Reason.INVALID_ARGUMENT
    assert [v.field for v in detail.violations] == ["phone"]


def test_malformed_email_at_creation_is_invalid_argument(api: UserServicer) -> None:
    with pytest.raises(Aborted) as err:
        api.GetOrCreateUser(
            user_pb2.GetOrCreateUserRequest(subject="s", email="nope"), signed_in("s")
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "email" in err.value.details()


def test_unknown_user_is_not_found(api: UserServicer) -> None:
    with pytest.raises(Aborted) as err:
        api.GetUser(user_pb2.GetUserRequest(id="ghost"), as_gateway("ghost"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    detail = err.value.detail
    assert detail is not None and detail.reason == Reason.NOT_FOUND
    assert detail.metadata == {"resource": "user", "id": "ghost"}
    with pytest.raises(Aborted) as err:
        api.UpdateUser(
            user_pb2.UpdateUserRequest(id="ghost", name="X"), as_gateway("ghost")
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_subject_taken_meanwhile_is_already_exists(api: UserServicer) -> None:
    """Normally the service resolves the race; if it cannot, callers see why."""

    def taken(subject: str, email: str, name: str) -> None:
        raise SubjectTaken(subject)

    api._service.get_or_create = taken  # type: ignore[method-assign]
    with pytest.raises(Aborted) as err:
        api.GetOrCreateUser(
            user_pb2.GetOrCreateUserRequest(subject="s"), signed_in("s")
        )
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    detail = err.value.detail
    assert detail is not None and detail.reason == Reason.ALREADY_EXISTS
    assert detail.metadata == {"resource": "user", "field": "subject"}
